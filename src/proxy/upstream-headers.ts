// Proxy: turn the client's headers into the backend's, in place. Order matters: everything a client could
// spoof is removed first (Connection-nominated, hop-by-hop, x-s2s-*, X-Forwarded-*), then ours are set, so a
// `Connection: x-s2s-partner` cannot remove the header we add.
import type { IncomingMessage } from 'node:http'
import { applyIdentityHeaders, stripIdentityHeaders } from '../identity/index.js'
import type { Identity } from '../tokens/types.js'
import type { Runtime } from '../runtime.js'
import { stripHopByHop } from './hop-headers.js'
import { setForwardedHeaders } from './forwarded.js'

export function prepareUpstreamHeaders(req: IncomingMessage, identity: Identity | undefined, runtime: Runtime): void {
  const headers = req.headers
  stripHopByHop(headers)
  stripIdentityHeaders(headers)
  if (!runtime.config.upstream.forwardAuthorization) delete headers.authorization
  // Node already answered `Expect: 100-continue`; http-proxy skips its proxyReq hook when it is present.
  delete headers.expect
  setForwardedHeaders(req, runtime.trustedProxies, runtime.anyTrustedProxy)
  if (identity !== undefined) applyIdentityHeaders(headers, identity)
}

/** How many Authorization fields the client sent (Node keeps only the first in `headers`). */
export function countAuthorizationFields(rawHeaders: readonly string[]): number {
  let n = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (name !== undefined && name.length === 13 && name.toLowerCase() === 'authorization') n++
  }
  return n
}
