// Authorization servers (issue 7), public API: the set built per Runtime: each server's metadata keys (inbound
// tokens it issued), issuer id and issuance endpoint. Obtaining tokens from it for outbound calls is outbound/'s.
export type { AuthorizationServer, AuthorizationServers, AuthorizationServerSeed } from './types.js'
export { createAuthorizationServers, type AuthorizationServersDeps } from './authorization-servers.js'
