// Authorization servers (issue 7), public API: the set built per Runtime, and the outbound token source.
export type { AuthorizationServer, AuthorizationServers, AuthorizationServerSeed } from './types.js'
export { createAuthorizationServers, type AuthorizationServersDeps } from './authorization-servers.js'
