// Inbound: turn the client's headers into the backend's, in place. Order matters: everything a client could
// spoof is removed first (Connection-nominated, hop-by-hop, x-s2s-*, X-Forwarded-*), then ours are set, so a
// `Connection: x-s2s-partner` cannot remove the header we add.
import type { IncomingMessage } from 'node:http'
import { applyIdentityHeaders, stripIdentityHeaders } from '../identity/index.js'
import type { Identity } from '../identity/index.js'
import type { InboundRuntime } from './runtime-view.js'
import { stripHopByHop } from '../identity/index.js'
import { setForwardedHeaders } from '../identity/index.js'

/** `suspect` false: the head holds no x-s2s-*, `_` or forwarded-claim name (request-head.ts), so no walk for them. */
export function prepareUpstreamHeaders(req: IncomingMessage, identity: Identity | undefined, runtime: InboundRuntime, suspect = true): void {
  const headers = req.headers
  stripHopByHop(headers)
  if (suspect) stripIdentityHeaders(headers)
  if (!runtime.config.upstream.forwardAuthorization) delete headers.authorization
  // Node already answered `Expect: 100-continue`; http-proxy skips its proxyReq hook when it is present.
  delete headers.expect
  setForwardedHeaders(req, runtime.trustedProxies, runtime.anyTrustedProxy, suspect)
  if (identity !== undefined) applyIdentityHeaders(headers, identity)
}
