// Outbound: the headers of a call to a partner, built from the backend's, and the partner's response headers
// handed back (Location mapped so that following it never leads to another partner). Removed toward the partner: hop-by-hop ones (identity/hop-headers.ts), every x-s2s-* header (act-as,
// the shared secret, our own identity headers), the backend's Authorization, Host, Expect, X-Forwarded-*.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { isForwardedName, isIdentityHeaderName, stripHopByHop } from '../identity/index.js'

/** Set by node from the target URL and the body we send, or ours to set; never copied from the backend. */
const DROPPED = ['host', 'authorization', 'expect', 'content-length', 'transfer-encoding', 'forwarded']

/** How the body goes out: fully buffered (replayable) or streamed after an already-read head. */
export type OutboundBody =
  | { kind: 'buffer'; data: Buffer; hadBody: boolean }
  | { kind: 'stream'; head: Buffer; rest: NodeJS.ReadableStream; contentLength: number | undefined }

export function isReplayable(body: OutboundBody): body is Extract<OutboundBody, { kind: 'buffer' }> {
  return body.kind === 'buffer'
}

/** The backend's headers, cleaned, with our Authorization and the body framing. */
export function partnerRequestHeaders(incoming: IncomingHttpHeaders, authorization: string, body: OutboundBody): OutgoingHttpHeaders {
  const headers: IncomingHttpHeaders = { ...incoming }
  stripHopByHop(headers)
  // X-Forwarded-* in any spelling (`-Prefix`, `-Ssl`, `X_Forwarded_For`): a partner trusting us as a proxy would take them for ours.
  for (const name of Object.keys(headers)) if (isIdentityHeaderName(name) || isForwardedName(name)) delete headers[name]
  for (const name of DROPPED) delete headers[name]
  const out: OutgoingHttpHeaders = { ...headers, authorization }
  if (body.kind === 'buffer') {
    if (body.hadBody || body.data.length > 0) out['content-length'] = body.data.length
  } else if (body.contentLength !== undefined) {
    out['content-length'] = body.contentLength
  } // else: node sends it chunked
  return out
}

/** Where a partner's answer came from: the URL we requested, the partner's base URL (outbound.url), its name. */
export interface AnswerOrigin {
  requested: URL
  base: URL
  partner: string
}

/**
 * A partner's Location as the backend must read it. The backend resolves a relative Location against the
 * listener's URL (`/<partner>/...`), where `/other/x` or `../other/x` names ANOTHER configured partner: a client
 * following the redirect would call that partner through the listener, with our token. So a Location under the
 * partner's base URL becomes `/<partner><rest>` on the listener (as nginx's proxy_redirect does), any other one
 * absolute (a client following it goes straight there, without our token), and one that is no URL is dropped.
 */
export function locationForBackend(value: string, origin: AnswerOrigin): string | undefined {
  let url: URL
  try {
    url = new URL(value, origin.requested)
  } catch {
    return undefined
  }
  const prefix = origin.base.pathname.replace(/\/+$/, '')
  const inside = url.origin === origin.base.origin && (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))
  if (!inside) return url.href
  const rest = url.pathname.slice(prefix.length)
  return `/${origin.partner}${rest === '' ? '/' : rest}${url.search}${url.hash}`
}

/**
 * The partner's response headers for the backend, each field kept separate (several WWW-Authenticate
 * challenges stay readable), hop-by-hop ones removed, Location mapped by locationForBackend; node frames the body.
 */
export function backendResponseHeaders(response: IncomingMessage, origin?: AnswerOrigin): OutgoingHttpHeaders {
  const kept: IncomingHttpHeaders = { ...response.headers }
  stripHopByHop(kept)
  delete kept['transfer-encoding']
  const out: OutgoingHttpHeaders = {}
  for (const name of Object.keys(kept)) {
    let values = response.headersDistinct[name]
    if (values === undefined) continue
    if (name === 'location' && origin !== undefined) {
      values = values.map((v) => locationForBackend(v, origin)).filter((v): v is string => v !== undefined)
      if (values.length === 0) continue
    }
    out[name] = values.length === 1 ? values[0] : values
  }
  return out
}
