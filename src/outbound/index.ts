// Outbound, public API: the listener our backend calls partners through, and the per-configuration Outbound it
// (and test-partner) uses to sign and send those calls.
export { createOutbound, type Outbound, type OutboundCall, type OutboundDeps, type OutboundResult } from './outbound.js'
export { createOutboundServer, type OutboundServerOptions } from './outbound-server.js'
export { parseAuthenticate, readBearerChallenge, listsIssuer, type AuthChallenge, type BearerChallenge } from './challenge-parse.js'
export type { OutboundEvents } from './events.js'
export type { OutboundTarget, AudienceSource } from './target.js'
export type { ProbeResult } from './discovery.js'
export { readActAs, ACT_AS_HEADERS } from './act-as.js'
export { readBody } from './read-body.js'
// Access tokens from an authorization server's issuance endpoint (issue 7), for partners behind one.
export {
  createAuthzTokenSource,
  serverTarget,
  type AuthzIssuedToken,
  type AuthzTokenRequest,
  type AuthzTokenSource,
  type AuthzTokenSourceDeps,
} from './access-tokens.js'
export { CLIENT_ASSERTION_LIFETIME_SEC, JWT_BEARER_ASSERTION_TYPE, mintClientAssertion } from './client-assertion.js'
export { IssuanceError, requestAccessToken, type IssuanceFailure, type IssuanceOptions, type IssuedAccessToken } from './issuance.js'
export type { OutboundRuntime } from './runtime-view.js'
