// Config: checks of forward-auth mode (issue 13): the decision listener, who may ask it, and an upstream that
// becomes optional when it is set (the gateway then only publishes its metadata and answers decisions).
import type { GatewayConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'
import { isLoopbackHost } from '../net/index.js'
import { checkCidr } from './hosts.js'
import { checkListenHost, clashes } from './check-network.js'

export function checkForwardAuth(config: GatewayConfig, out: ProblemCollector): void {
  const listen = config.listen.forwardAuth
  if ((config.upstream.url as string | undefined) === undefined && !out.isInvalid('upstream.url')) {
    if (listen === undefined) out.problem('upstream.url', 'is required (unless listen.forwardAuth is set)')
    // Forward-auth only: nothing is proxied, the inbound listener serves /metadata/json/1 alone (runtime.forwardOnly).
    config.upstream.url = ''
  }
  config.forwardAuth.trustedProxies = config.forwardAuth.trustedProxies.map((entry, i) => {
    const path = `forwardAuth.trustedProxies[${i}]`
    if (out.isInvalid(path)) return entry
    const checked = checkCidr(entry)
    if (!checked.ok) out.problem(path, checked.message)
    return checked.ok ? checked.value : entry
  })
  if (listen === undefined || out.isInvalid('listen.forwardAuth')) return
  checkListenHost(listen.host, 'listen.forwardAuth.host', out)
  for (const other of ['inbound', 'admin', 'outbound'] as const) {
    const taken = config.listen[other]
    if (taken !== undefined && clashes(listen, taken)) out.problem('listen.forwardAuth.port', `${listen.port} is also the port of listen.${other}`)
  }
  if (!isLoopbackHost(listen.host)) {
    // Decisions carry identity headers and cacheable allows: reachable from the network, only trustedProxies may ask.
    out.warn('listen.forwardAuth.host', `${listen.host} is not loopback: only forwardAuth.trustedProxies get decisions, and bearer tokens reach it in clear (no TLS on this listener)`)
  }
  if (config.forwardAuth.trustedProxies.some((cidr) => cidr.endsWith('/0'))) {
    // Anyone in the list may claim any original URI: a /0 lets any client pick the path it is judged on.
    out.warn('forwardAuth.trustedProxies', 'contains a /0: every caller may set X-Original-URI / X-Forwarded-Uri and be judged on a path of its choice')
  }
}
