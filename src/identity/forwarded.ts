// Identity: X-Forwarded-For/-Proto/-Host. The gateway sets them; a client's copies survive only when the
// client is a trusted proxy (listed in `trustedProxies`), in which case ours are appended to theirs. Headers
// that would make the backend route by another path than the one we checked are never forwarded.
import type { BlockList } from 'node:net'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { isForwardedName } from './headers.js'
import { isListedAddress } from '../net/index.js'

/**
 * What a client may claim about where a request came from or how it was routed, believed only from a trusted
 * proxy: every X-Forwarded-* name (For/Proto/Host, and -Port, -Prefix, -Server, -Ssl, -Scheme, -Client-Cert ...,
 * read by Spring, Rack, Envoy-aware backends), RFC 7239 Forwarded, the client-address headers backends read instead
 * (X-Real-IP: nginx; True-Client-IP: Akamai, Cloudflare; CF-Connecting-IP: Cloudflare; Fastly-Client-IP;
 * X-Cluster-Client-IP: Rackspace, Zeus; Client-IP and X-Client-IP: older proxies; X-Original-Forwarded-For:
 * ingress-nginx), and the scheme flags IIS and ARR backends read (Front-End-Https: on, X-Url-Scheme).
 */
const CLIENT_CLAIMS: ReadonlySet<string> = new Set([
  'forwarded', 'x-real-ip', 'x-client-ip', 'client-ip', 'true-client-ip', 'cf-connecting-ip', 'fastly-client-ip',
  'x-cluster-client-ip', 'x-original-forwarded-for', 'front-end-https', 'x-url-scheme',
])

const isClaim = (name: string): boolean => CLIENT_CLAIMS.has(name) || name.startsWith('x-forwarded-')

/**
 * Never forwarded, from anyone: IIS URL Rewrite, Symfony and Laravel route by these instead of the request
 * line, so `/public/ping` plus `X-Original-URL: /admin` would reach /admin unauthenticated.
 */
const PATH_OVERRIDES: ReadonlySet<string> = new Set(['x-original-url', 'x-rewrite-url'])

/** True for a (lower-case, `-` spelled) name a client must not set unless trusted, or ever: the two sets above. */
export function isClientClaimName(name: string): boolean {
  return isClaim(name) || PATH_OVERRIDES.has(name)
}

function append(prior: string | string[] | undefined, value: string): string {
  if (prior === undefined || prior === '') return value
  return `${Array.isArray(prior) ? prior.join(', ') : prior}, ${value}`
}

/**
 * Drop path overrides always, client claims unless `keep`, and always the `_` spellings of either and of every
 * X-Forwarded-* name (CGI maps `_` to `-`, so X_Forwarded_Ssl would read as X-Forwarded-Ssl: no proxy sends them).
 */
function dropClientClaims(headers: IncomingHttpHeaders, keep: boolean): void {
  for (const name of Object.keys(headers)) {
    if (!name.includes('_')) {
      if (PATH_OVERRIDES.has(name) || (!keep && isClaim(name))) delete headers[name]
    } else if (isForwardedName(name) || isClientClaimName(name.replace(/_/g, '-'))) delete headers[name]
  }
}

/**
 * Rewrite the X-Forwarded-* headers of an incoming request in place, before it is proxied. `claimsSeen` false means
 * the request head holds no client claim, path override or `_` name at all (request-head.ts): nothing to drop.
 */
export function setForwardedHeaders(req: IncomingMessage, trusted: BlockList, anyTrusted: boolean, claimsSeen = true): void {
  const headers = req.headers
  const remote = req.socket.remoteAddress
  const keep = anyTrusted && isListedAddress(trusted, remote)
  const proto = 'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http'
  const host = headers.host ?? ''
  if (claimsSeen) dropClientClaims(headers, keep)
  headers['x-forwarded-for'] = append(headers['x-forwarded-for'], remote ?? '')
  headers['x-forwarded-proto'] = keep && headers['x-forwarded-proto'] !== undefined ? headers['x-forwarded-proto'] : proto
  headers['x-forwarded-host'] = keep && headers['x-forwarded-host'] !== undefined ? headers['x-forwarded-host'] : host
}
