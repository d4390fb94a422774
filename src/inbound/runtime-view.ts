// Inbound: what a request reads from the Runtime it pinned (lifecycle/runtime.ts builds it from one configuration;
// a reload swaps it whole). Declared here, by its reader, so inbound/ depends on the stages it calls and never on
// the lifecycle that wires it; the Runtime extends this interface, so the compiler checks that they agree.
import type { BlockList } from 'node:net'
import type { CompiledPolicy } from '../access/index.js'
import type { MetadataDocument } from '../issuer/index.js'
import type { PartnerLimits } from '../limits/index.js'
import type { GatewayConfig } from '../schema/index.js'
import type { Challenge } from '../tokens/index.js'
import type { TokenValidator } from '../tokens/index.js'
import type { Forwarder } from '../upstream/index.js'

export interface InboundRuntime {
  readonly config: GatewayConfig
  readonly validator: TokenValidator
  readonly challenge: Challenge
  readonly document: MetadataDocument
  readonly forwarder: Forwarder
  readonly trustedProxies: BlockList
  readonly anyTrustedProxy: boolean
  /**
   * Forward-auth only (listen.forwardAuth set, upstream omitted): the inbound listener serves /metadata/json/1 and
   * answers 404 to everything else; nothing is proxied.
   */
  readonly forwardOnly: boolean
  readonly publicPaths: ReadonlySet<string>
  /** Each partner's effective admission limits (issue 14 §1); a partner without any is absent. */
  readonly limits: ReadonlyMap<string, PartnerLimits>
  /** Partner permissions and access.deny (issue 10), compiled once for this configuration. */
  readonly access: CompiledPolicy
}

/** The runtime in use: a reload swaps `current`; each request pins the one it started with. */
export interface RuntimeHolder<R = InboundRuntime> {
  current: R
}
