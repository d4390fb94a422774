// Forward-auth: what the proxy asks about. Each dialect names the original method, request target and host in
// its own headers (or, for Envoy, in the decision request itself). Every header read here is set by the shipped
// proxy configs, so a repeated one, or two that disagree, means something between client and proxy added its
// own: a deny, never a guess.
import type { IncomingMessage } from 'node:http'
import { normalizeAuthority } from '../config/index.js'

export type Dialect = 'nginx' | 'envoy' | 'forward'

/** Envoy's ext_authz `path_prefix`: the original path follows it. */
export const ENVOY_PREFIX = '/auth/envoy'

/** The request the proxy is about to forward, as it describes it. `url` is a raw origin-form target (query kept). */
export interface OriginalRequest {
  method: string
  url: string
  host: string
}

export type OriginalResult = { ok: true; original: OriginalRequest } | { ok: false; problem: string }

/** Which endpoint a decision request asked, from its raw path; undefined: none (404). */
export function dialectOf(path: string): Dialect | undefined {
  if (path === '/auth/nginx') return 'nginx'
  if (path === '/auth/forward') return 'forward'
  if (path.startsWith(`${ENVOY_PREFIX}/`)) return 'envoy'
  return undefined
}

/** Read the original request for `dialect`; a missing or repeated field is a problem (a deny). */
export function originalOf(req: IncomingMessage, dialect: Dialect): OriginalResult {
  const fields = singleFields(req.rawHeaders)
  if (fields === undefined) return { ok: false, problem: 'repeated_header' }
  if (dialect === 'envoy') return envoyOriginal(req, fields)
  if (dialect === 'forward') return complete(fields.get('x-forwarded-method'), fields.get('x-forwarded-uri'), fields.get('x-forwarded-host') ?? fields.get('host'))
  return nginxOriginal(fields)
}

/** The headers any dialect reads: each may appear once at most. */
const READ: ReadonlySet<string> = new Set([
  'host', 'x-original-method', 'x-original-uri', 'x-original-url', 'x-original-host',
  'x-forwarded-method', 'x-forwarded-uri', 'x-forwarded-host', 'x-forwarded-proto',
])

/** The fields of READ present, or undefined when one of them is given twice. */
function singleFields(rawHeaders: readonly string[]): Map<string, string> | undefined {
  const fields = new Map<string, string>()
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase()
    if (!READ.has(name)) continue
    if (fields.has(name)) return undefined
    fields.set(name, rawHeaders[i + 1] ?? '')
  }
  return fields
}

function complete(method: string | undefined, url: string | undefined, host: string | undefined): OriginalResult {
  if (method === undefined || method === '') return { ok: false, problem: 'missing_method' }
  if (url === undefined || url === '') return { ok: false, problem: 'missing_uri' }
  if (host === undefined || host === '') return { ok: false, problem: 'missing_host' }
  return { ok: true, original: { method, url, host } }
}

/** ext_authz HTTP service: the check request carries the original method, `<prefix><original path>` and Host. */
function envoyOriginal(req: IncomingMessage, fields: Map<string, string>): OriginalResult {
  return complete(req.method, (req.url ?? '').slice(ENVOY_PREFIX.length), fields.get('host'))
}

// An absolute URL as ingress-nginx sends it (`$scheme://$host$request_uri`), split without normalising anything:
// the target after the authority is judged byte for byte, like X-Original-URI.
const ABSOLUTE = /^https?:\/\/([^/?#]*)(.*)$/i

/**
 * nginx: X-Original-URI, else the absolute X-Original-URL (ingress-nginx); the host is X-Original-Host, else the
 * URL's authority, else X-Forwarded-Host, else Host. Both URI forms given must name the same target.
 */
function nginxOriginal(fields: Map<string, string>): OriginalResult {
  const uri = fields.get('x-original-uri')
  const absolute = fields.get('x-original-url')
  let authority: string | undefined
  let target = uri
  if (absolute !== undefined) {
    const match = ABSOLUTE.exec(absolute)
    if (match === null) return { ok: false, problem: 'original_url' }
    authority = match[1]
    const fromUrl = match[2] === '' ? '/' : match[2]
    if (uri !== undefined && uri !== fromUrl) return { ok: false, problem: 'original_uri_mismatch' }
    target = fromUrl
  }
  const named = fields.get('x-original-host')
  // ingress-nginx sets X-Original-URL but not X-Original-Host, so a client's X-Original-Host reaches us: when
  // both name a host they must agree (the URL's is the one the proxy saw).
  if (named !== undefined && authority !== undefined && authority !== '' && !sameAuthority(named, authority)) return { ok: false, problem: 'original_host_mismatch' }
  const host = named ?? (authority === '' ? undefined : authority) ?? fields.get('x-forwarded-host') ?? fields.get('host')
  // nginx and ingress-nginx cache an allow under a key that joins the request's fields with `|` (deploy/). No
  // other field of an allowed decision can hold one (token, methods, host), so with none in the target either, no
  // other request can make the same key. RFC 3986 allows no raw `|` in a target; clients send %7C.
  if (target?.includes('|') === true) return { ok: false, problem: 'original_uri_separator' }
  return complete(fields.get('x-original-method'), target, host)
}

function sameAuthority(a: string, b: string): boolean {
  const x = normalizeAuthority(a)
  const y = normalizeAuthority(b)
  return x.ok && y.ok && x.value === y.value
}
