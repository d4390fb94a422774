// Outbound: the partners our backend may call (those with an `outbound` section), each with its own keep-alive
// agent (its CA, its sockets). Only these can be reached: the listener never takes a target URL from a request.
import http from 'node:http'
import https from 'node:https'
import { readFileSync } from 'node:fs'
import { limitIdleSockets, tlsClientOptions, type IdleLimit } from '../net/index.js'
import type { GatewayConfig, PartnerConfig, PartnerOutboundConfig } from '../schema/index.js'

export interface OutboundPartner {
  name: string
  config: PartnerConfig
  outbound: PartnerOutboundConfig
  /** outbound.url, parsed; its path is the prefix of every call. */
  base: URL
  /** What every request to the partner is sent to, read from `base` once. */
  endpoint: PartnerEndpoint
  agent: http.Agent
  /** How long the agent's idle connections are kept (outbound.idleTimeoutMs and the partner's Keep-Alive hint). */
  idle: IdleLimit
}

/** The parts of outbound.url a request is made with (`http.request`'s options). */
export interface PartnerEndpoint {
  protocol: string
  /** Without the brackets of an IPv6 literal. */
  hostname: string
  port: number | undefined
  /** The base path without its trailing '/': every call's path starts with it. */
  prefix: string
}

export function endpointOf(base: URL): PartnerEndpoint {
  return { protocol: base.protocol, hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'), port: base.port === '' ? undefined : Number(base.port), prefix: base.pathname.replace(/\/+$/, '') }
}

export interface PartnerTable {
  get(name: string): OutboundPartner | undefined
  all(): readonly OutboundPartner[]
  /** Stop pooling: idle sockets close now, busy ones when their exchange ends. In-flight calls finish. */
  retire(): void
}

/**
 * Where one parse of `<origin><base path><rest>` could read the caller's text differently from the pathname and
 * search setters: '#' (a fragment there, %23 for the setters; Node's parser passes it on in a request target) and
 * controls or spaces (trimmed at the ends there; Node's parser refuses them). Such text takes the setters.
 */
const NOT_PLAIN = /[\x00-\x20#\x7f]/

/**
 * `<base path>/<rest>`: the base path without its trailing '/', then the caller's path and query, percent-encoded
 * and with dot segments resolved as URL's pathname and search setters do. outbound.url has no credentials, query
 * or fragment (config check), so `origin + pathname` is the whole base; one parse of the joined text then gives
 * what the setters give (a unit test compares both on every printable character), in a quarter of the time.
 */
export function targetUrl(base: URL, pathAndQuery: string): URL {
  const prefix = base.pathname.endsWith('/') ? base.pathname.replace(/\/+$/, '') : base.pathname
  if (!NOT_PLAIN.test(pathAndQuery)) return new URL(`${base.origin}${prefix}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`)
  const url = new URL(base.href)
  const q = pathAndQuery.indexOf('?')
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q)
  url.pathname = prefix + (path.startsWith('/') ? path : `/${path}`)
  url.search = q === -1 ? '' : pathAndQuery.slice(q)
  return url
}

/**
 * Text URL's parser leaves as it is in a path and in a query: letters, digits and `-._~!$&()*+,;=:@/?%`. Not a
 * backslash (read as '/'), nor the characters it percent-encodes in one or the other (space, controls, '"', '#', '<',
 * '>', '`', '{', '}', "'" and anything beyond ASCII), nor '^', '|', '[' and ']', which are not worth the doubt.
 */
const INERT = /^[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*$/

/** A '.' or '..' segment, plain or percent-encoded, which URL's parser resolves. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

/**
 * The path and query requested of the partner for `pathAndQuery`: exactly `pathname + search` of targetUrl (a unit
 * test compares them), joined as text when URL's parser would change nothing (issue 11: one URL parse per call
 * cost 3.4 µs of the whole process), else from targetUrl.
 */
export function targetPath(partner: Pick<OutboundPartner, 'base' | 'endpoint'>, pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?')
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q)
  // An empty query ('/a?') has no `search`: the parser's path keeps it out.
  if (INERT.test(pathAndQuery) && q !== pathAndQuery.length - 1 && !DOT_SEGMENT.test(path)) {
    return `${partner.endpoint.prefix}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`
  }
  const url = targetUrl(partner.base, pathAndQuery)
  return url.pathname + url.search
}

/** `limits`: outbound.maxSocketsPerPartner, and outbound.maxIdleSocketsPerPartner of them kept idle at most. */
function createAgent(base: URL, caPem: string | undefined, limits: GatewayConfig['outbound']): http.Agent {
  const maxSockets = limits.maxSocketsPerPartner
  const options = { keepAlive: true, maxSockets, maxFreeSockets: Math.min(limits.maxIdleSocketsPerPartner, maxSockets), scheduling: 'lifo' as const }
  // outbound has no insecureSkipVerify: a partner we send our tokens to is always verified.
  return base.protocol === 'https:' ? new https.Agent({ ...options, ...tlsClientOptions({ caPem }) }) : new http.Agent(options)
}

function retireAgent(agent: http.Agent, idle: IdleLimit): void {
  idle.stop()
  for (const list of Object.values(agent.freeSockets)) for (const socket of list ?? []) socket.destroy()
  // The agent's own 'free' listener pools the socket first; this one then closes it.
  agent.on('free', (socket: { destroy(): void }) => socket.destroy())
}

export function createPartnerTable(
  config: GatewayConfig,
  readText: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): PartnerTable {
  const byName = new Map<string, OutboundPartner>()
  for (const partner of config.partners) {
    const outbound = partner.outbound
    if (outbound === undefined) continue
    const base = new URL(outbound.url)
    const caPem = outbound.caFile === undefined ? undefined : readText(outbound.caFile)
    const agent = createAgent(base, caPem, config.outbound)
    byName.set(partner.name, { name: partner.name, config: partner, outbound, base, endpoint: endpointOf(base), agent, idle: limitIdleSockets(agent, config.outbound.idleTimeoutMs) })
  }
  const all = [...byName.values()]
  return {
    get: (name) => byName.get(name),
    all: () => all,
    retire: () => all.forEach((p) => retireAgent(p.agent, p.idle)),
  }
}
