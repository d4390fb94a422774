// Inbound: turn the client's headers into the backend's, as a new object on the request. Order matters:
// everything a client could spoof is removed first (Connection-nominated, hop-by-hop, x-s2s-*, X-Forwarded-*), then
// ours are set, so a `Connection: x-s2s-partner` cannot remove the header we add.
import type { IncomingMessage } from 'node:http'
import { applyIdentityHeaders, stripIdentityHeaders } from '../identity/index.js'
import type { Identity } from '../identity/index.js'
import type { InboundRuntime } from './runtime-view.js'
import { withoutHopByHop } from '../identity/index.js'
import { setForwardedHeaders } from '../identity/index.js'

/** Node already answered `Expect: 100-continue`; http-proxy skips its proxyReq hook when it is present. */
const EXPECT: ReadonlySet<string> = new Set(['expect'])
const EXPECT_AND_AUTHORIZATION: ReadonlySet<string> = new Set(['expect', 'authorization'])

/**
 * `suspect` false: the head holds no x-s2s-*, `_` or forwarded-claim name (request-head.ts), so no walk for them.
 * `req.headers` becomes a new object: built without the dropped names rather than deleted from (a V8 dictionary).
 */
export function prepareUpstreamHeaders(req: IncomingMessage, identity: Identity | undefined, runtime: InboundRuntime, suspect = true): void {
  const headers = withoutHopByHop(req.headers, runtime.config.upstream.forwardAuthorization ? EXPECT : EXPECT_AND_AUTHORIZATION)
  req.headers = headers
  if (suspect) stripIdentityHeaders(headers)
  setForwardedHeaders(req, runtime.trustedProxies, runtime.anyTrustedProxy, suspect)
  if (identity !== undefined) applyIdentityHeaders(headers, identity)
}
