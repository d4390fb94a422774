// Authorization servers (issue 7), public API: the set built per Runtime (inbound keys, issuer ids, issuance
// endpoints) and the outbound token source that obtains access tokens from a server's issuance endpoint.
export type { AuthorizationServer, AuthorizationServers, AuthorizationServerSeed } from './types.js'
export { createAuthorizationServers, type AuthorizationServersDeps } from './authorization-servers.js'
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
