// Outbound: what a call from our backend reads from the Runtime in use (see inbound/runtime-view.ts for why a
// reader declares its view).
import type { GatewayConfig } from '../schema/index.js'
import type { Outbound } from './outbound.js'

export interface OutboundRuntime {
  readonly config: GatewayConfig
  /** Calls from our backend to partners (issue 3): partners with an `outbound` section, their tokens and challenges. */
  readonly outbound: Outbound
}
