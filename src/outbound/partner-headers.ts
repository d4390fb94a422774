// Outbound: the headers of a call to a partner, built from the backend's, and the partner's response headers
// handed back (Location mapped so that following it never leads to another partner). Removed toward the partner: hop-by-hop ones (identity/hop-headers.ts), every x-s2s-* header (act-as,
// the shared secret, our own identity headers), the backend's Authorization, Host, Expect, X-Forwarded-* and the
// other client claims and path overrides the inbound listener keeps from backends (identity/forwarded.ts).
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { hopByHopNames, isClientClaimName, isForwardedName, isIdentityHeaderName } from '../identity/index.js'

/** Set by node from the target URL and the body we send, or ours to set; never copied from the backend. */
const DROPPED: ReadonlySet<string> = new Set(['host', 'authorization', 'expect', 'content-length', 'transfer-encoding', 'forwarded'])

/** A client claim or path override (identity/forwarded.ts) in either spelling. */
const isClaim = (name: string): boolean => isClientClaimName(name.includes('_') ? name.replace(/_/g, '-') : name)

/** How the body goes out: fully buffered (replayable) or streamed after an already-read head. */
export type OutboundBody =
  | { kind: 'buffer'; data: Buffer; hadBody: boolean }
  | { kind: 'stream'; head: Buffer; rest: NodeJS.ReadableStream; contentLength: number | undefined }

export function isReplayable(body: OutboundBody): body is Extract<OutboundBody, { kind: 'buffer' }> {
  return body.kind === 'buffer'
}

/** The backend's headers, cleaned, with our Authorization and the body framing. */
export function partnerRequestHeaders(incoming: IncomingHttpHeaders, authorization: string, body: OutboundBody): OutgoingHttpHeaders {
  // One pass into a fresh object (a copy deleted from would be a slow V8 dictionary: hop-headers.ts withoutHopByHop).
  const hop = hopByHopNames(incoming.connection)
  const out: OutgoingHttpHeaders = {}
  for (const name of Object.keys(incoming)) {
    // X-Forwarded-* in any spelling (`-Prefix`, `-Ssl`, `X_Forwarded_For`) and the other client-address and
    // scheme claims (X-Real-IP, True-Client-IP ...): a partner trusting us as a proxy would take them for ours. And
    // X-Original-URL / X-Rewrite-URL, by which IIS-style partners would route past the path we called.
    if (hop.has(name) || DROPPED.has(name) || isIdentityHeaderName(name) || isForwardedName(name) || isClaim(name)) continue
    out[name] = incoming[name]
  }
  out['authorization'] = authorization
  if (body.kind === 'buffer') {
    if (body.hadBody || body.data.length > 0) out['content-length'] = body.data.length
  } else if (body.contentLength !== undefined) {
    out['content-length'] = body.contentLength
  } // else: node sends it chunked
  return out
}

/**
 * Where a partner's answer came from: the path and query we requested (under the base URL's origin; made a URL only
 * for a Location to resolve), the partner's base URL (outbound.url), its name.
 */
export interface AnswerOrigin {
  requestedPath: string
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
    url = new URL(value, `${origin.base.origin}${origin.requestedPath}`)
  } catch {
    return undefined
  }
  const prefix = origin.base.pathname.replace(/\/+$/, '')
  const inside = url.origin === origin.base.origin && (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))
  if (!inside) return url.href
  const rest = url.pathname.slice(prefix.length)
  return `/${origin.partner}${rest === '' ? '/' : rest}${url.search}${url.hash}`
}

/** The values of every Connection field as received (reading `headers` for it would build that whole object). */
function connectionValues(raw: readonly string[]): string[] | undefined {
  let values: string[] | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 10 && name.toLowerCase() === 'connection') (values ??= []).push(raw[i + 1] as string)
  }
  return values
}

/**
 * The partner's response headers for the backend, each field kept separate (several WWW-Authenticate
 * challenges stay readable), hop-by-hop ones removed, Location mapped by locationForBackend; node frames the body.
 */
export function backendResponseHeaders(response: IncomingMessage, origin?: AnswerOrigin): OutgoingHttpHeaders {
  // One pass over the fields as received (issue 11): a copy of `headers` plus `headersDistinct` built each name twice.
  const raw = response.rawHeaders
  const dropped = hopByHopNames(connectionValues(raw))
  const out: Record<string, string | string[]> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    if (name === 'transfer-encoding' || dropped.has(name)) continue
    let value: string | undefined = raw[i + 1] as string
    if (name === 'location' && origin !== undefined) value = locationForBackend(value, origin)
    if (value === undefined) continue
    const before = out[name]
    if (before === undefined) out[name] = value
    else if (Array.isArray(before)) before.push(value)
    else out[name] = [before, value]
  }
  return out
}
