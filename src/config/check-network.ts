// Config: semantic checks of what touches the network: listeners (and their TLS files), the upstream URL,
// trustedProxies and publicPaths. Only checks and normalises; main.ts and inbound/ act on the result.
import { isIP } from 'node:net'
import type { GatewayConfig, ListenConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'
import { isLoopbackHost } from '../net/index.js'
import { checkCidr } from './hosts.js'
import { checkTlsPair } from './tls-files.js'
import { readConfigFile } from './files.js'

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/

/** A listener's bind address (listen.inbound, .admin, .outbound): an IP address or a host name. */
export function checkListenHost(host: string, path: string, out: ProblemCollector): void {
  if (isIP(host) === 0 && !HOSTNAME.test(host)) out.problem(path, 'must be an IP address or host name')
}

/** Two listeners that would bind the same port on the same (or every) address; port 0 picks a free one each. */
export function clashes(a: ListenConfig, b: ListenConfig): boolean {
  return a.port !== 0 && a.port === b.port && (a.host === b.host || a.host === '0.0.0.0' || b.host === '0.0.0.0')
}

export function checkListen(listen: GatewayConfig['listen'], out: ProblemCollector): void {
  for (const name of ['inbound', 'admin'] as const) checkListenHost(listen[name].host, `listen.${name}.host`, out)
  const { inbound, admin } = listen
  if (clashes(admin, inbound)) out.problem('listen.admin.port', `${admin.port} is also the port of listen.inbound`)
  if (inbound.tls !== undefined) {
    const cert = readConfigFile(inbound.tls.cert, 'listen.inbound.tls.cert', out)
    const key = readConfigFile(inbound.tls.key, 'listen.inbound.tls.key', out)
    const checked = cert === undefined || key === undefined ? undefined : checkTlsPair(inbound.tls, cert, key)
    if (checked !== undefined && 'path' in checked) out.problem(checked.path, checked.message)
  } else if (!isLoopbackHost(inbound.host)) {
    out.warn('listen.inbound', `listens on ${inbound.host} without tls: bearer tokens travel in clear unless TLS is terminated in front`)
  }
  if (!isLoopbackHost(admin.host)) out.warn('listen.admin.host', `${admin.host} is not loopback: health and metrics are reachable from the network`)
}

export function checkUpstream(upstream: GatewayConfig['upstream'], out: ProblemCollector): void {
  const path = 'upstream.url'
  // Omitted: required unless listen.forwardAuth is set (check-forward-auth.ts says which).
  if (out.isInvalid(path) || upstream.url === undefined) return
  let url: URL
  try {
    url = new URL(upstream.url)
  } catch {
    return out.problem(path, 'must be an absolute http or https URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return out.problem(path, 'must be an http or https URL')
  if (url.username !== '' || url.password !== '') out.problem(path, 'must not contain credentials')
  if (url.search !== '' || url.hash !== '') out.problem(path, 'must not contain a query or fragment')
}

export function checkTrustedProxies(config: GatewayConfig, out: ProblemCollector): void {
  config.trustedProxies = config.trustedProxies.map((entry, i) => {
    const path = `trustedProxies[${i}]`
    if (out.isInvalid(path)) return entry
    const checked = checkCidr(entry)
    if (!checked.ok) out.problem(path, checked.message)
    return checked.ok ? checked.value : entry
  })
}

/**
 * publicPaths are compared to the raw request path, so each must have exactly one reading: no query or
 * fragment, no encoded '/', '\' or '.', no dot segments and no '//' (inbound/ refuses such requests anyway).
 */
export function checkPublicPaths(config: GatewayConfig, out: ProblemCollector): void {
  const kept: string[] = []
  config.publicPaths.forEach((path, i) => {
    const at = `publicPaths[${i}]`
    if (out.isInvalid(at)) return
    const problem = publicPathProblem(path)
    if (problem !== undefined) return out.problem(at, problem)
    if (path === '/metadata/json/1') return out.warn(at, '/metadata/json/1 is always public, ignored')
    if (kept.includes(path)) return out.warn(at, `repeats ${path}, ignored`)
    kept.push(path)
  })
  config.publicPaths = kept
}

function publicPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return "must start with '/'"
  if (/[?#]/.test(path)) return "must not contain '?' or '#' (paths are matched without query)"
  if (/[\s\x00-\x1f\x7f\\]/.test(path)) return "must not contain whitespace, control characters or '\\'"
  if (/%(?:2f|5c|2e|00)/i.test(path)) return "must not contain an encoded '/', '\\', '.' or NUL"
  if (/%(?![0-9a-f]{2})/i.test(path)) return "has a '%' that is not a valid escape"
  if (path.includes('//')) return "must not contain '//'"
  if (/\/\.\.?(?:\/|$)/.test(path)) return "must not contain '.' or '..' segments"
  return undefined
}
