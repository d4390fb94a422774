// Outbound, public API: the listener our backend calls partners through, and the per-configuration Outbound it
// (and test-partner) uses to sign and send those calls.
export { createOutbound, type Outbound, type OutboundCall, type OutboundDeps, type OutboundResult } from './outbound.js'
export { createOutboundServer, type OutboundServerOptions } from './outbound-server.js'
export { parseAuthenticate, readBearerChallenge, listsIssuer, type AuthChallenge, type BearerChallenge } from './challenge-parse.js'
export { statusClassOf, type OutboundEvents, type StatusClass } from './events.js'
export type { OutboundTarget, AudienceSource } from './target.js'
export type { ProbeResult } from './discovery.js'
export { readActAs, ACT_AS_HEADERS } from './act-as.js'
export { readBody } from './read-body.js'
