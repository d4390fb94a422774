// Forward-auth: what a decision reads from the Runtime in use. The same checks as an inbound request, plus who may
// ask (see inbound/runtime-view.ts for why a reader declares its view).
import type { BlockList } from 'node:net'
import type { InboundRuntime } from '../inbound/index.js'

export interface DecisionRuntime extends InboundRuntime {
  /** forwardAuth.trustedProxies: who may ask the forward-auth listener for decisions (issue 13). */
  readonly forwardAuthProxies: BlockList
}
