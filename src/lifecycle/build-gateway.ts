// buildGateway(config, deps): the inbound and admin apps around one swappable Runtime. Never listens, never
// reads process.env; start-gateway.ts listens, main.ts wires signals.
import type { Server } from 'node:http'
import type { Server as TlsServer } from 'node:tls'
import type { FastifyInstance } from 'fastify'
import type { Logger as PinoLogger } from 'pino'
import type { GatewayConfig } from '../schema/index.js'
import type { LoadedConfig } from '../config/index.js'
import { buildAdminApp, type AdminState } from '../admin/index.js'
import { createActivity, type Activity } from '../admin/index.js'
import { chainEvents } from '../admin/index.js'
import { createGatewayMetrics, type GatewayMetrics } from '../admin/index.js'
import { createReloadControl, type ReloadOutcome, type ReloadTrigger } from '../config/index.js'
import { createRequestObserver } from '../admin/index.js'
import type { StatusInputs } from '../admin/index.js'
import type { Forwarder } from '../upstream/index.js'
import { guardConnections, listenerLimits } from '../net/index.js'
import { createInboundListener, type InboundListener, type InboundRuntime } from '../inbound/index.js'
import { createRuntime, type Runtime, type RuntimeDeps, type RuntimeHolder } from './runtime.js'
import type { TlsPair } from '../config/index.js'
import { isLoopbackHost } from '../net/index.js'
import { createOutboundServer } from '../outbound/index.js'
import { createLimiter } from '../limits/index.js'
import { createUpgradeTracker } from '../upstream/index.js'
import { createForwardAuthServer } from '../forward-auth/index.js'

export interface GatewayDeps extends Omit<RuntimeDeps, 'log' | 'previous'> {
  logger: PinoLogger
  /** Reads and validates the configuration again, for SIGHUP, POST /reload and --watch (main.ts: the same file). */
  loadConfig?: () => LoadedConfig
  /** The limiter's clock, epoch ms (default deps.now, else Date.now): tests step it to refill buckets exactly. */
  limitsNow?: () => number
  /** With `workers` above 1 (src/workers/), the primary's admin listener speaks for every worker. */
  workers?: WorkerHooks
}

export interface WorkerHooks {
  /** A reload swapped this process's runtime: hand `config` to every worker. POST /reload answers once it resolves. */
  reloaded(config: GatewayConfig): Promise<void>
  /** GET /metrics: every process's series, aggregated. */
  scrape(): Promise<{ contentType: string; body: string }>
  /** /status and /status.json: the workers' traffic, access denials and requests in flight, added up. */
  traffic(minutes: number): Promise<Pick<StatusInputs, 'activity' | 'accessDenials' | 'inFlight'>>
}

export interface Gateway {
  readonly inbound: InboundListener
  readonly admin: FastifyInstance
  /** The outbound listener (issue 3), only when listen.outbound is configured at start. */
  readonly outbound: Server | undefined
  /** The forward-auth decision listener (issue 13), only when listen.forwardAuth is configured at start. */
  readonly forwardAuth: Server | undefined
  readonly holder: RuntimeHolder
  readonly state: AdminState
  /** This gateway's Prometheus metrics (its own registry) and the status page's per-minute counters. */
  readonly metrics: GatewayMetrics
  readonly activity: Activity
  /** Requests of a partner in flight to the backend (the limiter's count; the status page). */
  inFlight(partner: string): number
  /** Swap in a new, already validated configuration. Old partners stop matching at once. Counted as a reload. */
  reload(config: GatewayConfig): void
  /** Read deps.loadConfig again, validate, swap; a refused file is logged, counted, and the old one keeps serving. */
  reloadFromSource(trigger: ReloadTrigger): ReloadOutcome
  /** Start loading every partner's metadata in the background (requests also load on demand). */
  warmUp(): Promise<void>
  close(): Promise<void>
}

/** A replaced forwarder lets its in-flight requests finish (retire); one without retire() is closed. */
function retire(forwarder: Forwarder): void {
  if (forwarder.retire !== undefined) forwarder.retire()
  else forwarder.close()
}

export function buildGateway(config: GatewayConfig, deps: GatewayDeps): Gateway {
  const now = deps.now ?? Date.now
  const metrics = createGatewayMetrics({ runtime: () => holder.current, now, inboundTls: () => servedTls })
  const activity = createActivity({ now })
  // A child per runtime, so a reload that changes logging.level reaches the partner logs too.
  const runtimeDeps = (): RuntimeDeps => ({
    ...deps,
    log: deps.logger.child({ component: 'partners' }),
    partnerEvents: chainEvents(metrics.partnerEvents, deps.partnerEvents),
    tokenEvents: chainEvents(metrics.tokenEvents, deps.tokenEvents),
    forwardEvents: chainEvents(metrics.forwardEvents, deps.forwardEvents),
    outboundEvents: chainEvents(metrics.outboundEvents, deps.outboundEvents),
  })
  const holder: RuntimeHolder = { current: createRuntime(config, runtimeDeps()) }
  // Outlives reloads: a new configuration changes the limits, not what partners have used (issue 14 §1).
  const limiter = createLimiter(deps.limitsNow ?? now)
  // Relayed WebSockets: closed when their token expires, a reload's configuration would refuse them, or on shutdown.
  const upgrades = createUpgradeTracker<InboundRuntime>(() => holder.current, now)
  // What the inbound listener serves: the start-up pair, then each changed pair a reload hands it. A listener
  // started without TLS stays plain HTTP (adding or removing tls is a listen change: restart).
  let servedTls = holder.current.inboundTls
  const state: AdminState = { ready: false, draining: false }
  let workersSwitched: Promise<void> = Promise.resolve()
  const swap = (next: GatewayConfig): void => {
    const previous: Runtime = holder.current
    const runtime = createRuntime(next, { ...runtimeDeps(), previous }) // throws before anything changed
    try {
      servedTls = replaceTls(inbound.server, servedTls, runtime.inboundTls, deps.logger)
    } catch (err) {
      runtime.close()
      if (runtime.forwarder !== previous.forwarder) runtime.forwarder.close()
      throw err
    }
    holder.current = runtime
    if (next.logging.level !== previous.config.logging.level) deps.logger.level = next.logging.level
    limiter.retain(new Set(next.partners.map((p) => p.name)))
    upgrades.revalidate(runtime)
    void holder.current.registry.loadAll()
    void holder.current.authorizationServers.loadAll()
    previous.close()
    if (holder.current.forwarder !== previous.forwarder) retire(previous.forwarder)
    if (deps.workers !== undefined) workersSwitched = deps.workers.reloaded(next)
  }
  const reloads = createReloadControl({
    logger: deps.logger, now, load: deps.loadConfig, current: () => holder.current.config, swap,
    counted: (result, at) => metrics.configReloaded(result, at),
    loaded: (at) => metrics.configLoaded(at),
  })
  // An unanswered TLS handshake is bounded like a silent connection (issue 17).
  const tlsOptions = servedTls && { cert: servedTls.cert, key: servedTls.key, handshakeTimeout: config.connections.firstByteTimeoutMs }
  const observer = createRequestObserver(metrics, activity)
  const inbound = createInboundListener(holder, deps.logger, { limiter, upgrades }, tlsOptions, observer)
  const admin = buildAdminApp(holder, state, deps.logger, {
    metrics, activity, reloads, now, startedAt: now(), inFlight: (p) => limiter.inFlight(p),
    ...(deps.workers === undefined ? {} : { scrape: deps.workers.scrape, traffic: deps.workers.traffic, reloadHttp: async () => {
      const outcome = reloads.fromSource('http')
      if (outcome.result === 'success') await workersSwitched
      return outcome
    } }),
  })
  const outboundListen = config.listen.outbound
  const outbound = outboundListen === undefined ? undefined : createOutboundServer({
    holder, log: deps.logger.child({ component: 'outbound' }), startupSecret: outboundListen.sharedSecret, loopback: isLoopbackHost(outboundListen.host),
  })
  // Decisions for a proxy in front (issue 13): same runtime, limiter and observer as the inbound listener.
  const forwardAuth = config.listen.forwardAuth === undefined ? undefined : createForwardAuthServer({ holder, logger: deps.logger, limiter, observer, now })
  // Connection lifetimes and caps, every listener (issue 17).
  const connectionLog = deps.logger.child({ component: 'connections' })
  const configNow = (): GatewayConfig => holder.current.config
  guardConnections(inbound.server, listenerLimits(configNow, 'inbound'), connectionLog, 'inbound')
  guardConnections(admin.server, listenerLimits(configNow, 'admin'), connectionLog, 'admin')
  if (outbound !== undefined) guardConnections(outbound, listenerLimits(configNow, 'outbound'), connectionLog, 'outbound')
  if (forwardAuth !== undefined) guardConnections(forwardAuth, listenerLimits(configNow, 'forwardAuth'), connectionLog, 'forwardAuth')
  return {
    inbound,
    admin,
    outbound,
    forwardAuth,
    holder,
    state,
    metrics,
    activity,
    inFlight: (partner) => limiter.inFlight(partner),
    reload: (next) => reloads.apply(next),
    reloadFromSource: (trigger) => reloads.fromSource(trigger),
    warmUp: async () => {
      await Promise.all([holder.current.registry.loadAll(), holder.current.authorizationServers.loadAll()])
    },
    async close() {
      state.ready = false
      state.draining = true
      // The admin listener stays up while requests drain, so /readyz says 'draining' and /metrics still answers.
      // Node closes idle keep-alive connections only when close() starts; one whose last response ends later
      // would hold the drain until the client's keep-alive timeout, so sweep them while draining.
      const sweep = setInterval(() => {
        inbound.server.closeIdleConnections()
        forwardAuth?.closeIdleConnections()
      }, 50)
      upgrades.closeAll() // a WebSocket has no request boundary to drain at
      await Promise.all([
        inbound.close().catch(() => undefined),
        outbound === undefined ? undefined : closeServer(outbound),
        forwardAuth === undefined ? undefined : closeServer(forwardAuth),
      ])
      clearInterval(sweep)
      await admin.close().catch(() => undefined)
      holder.current.close()
      holder.current.forwarder.close()
    },
  }
}

/**
 * New TLS connections get the reloaded certificate and key (open ones keep theirs). The pair was checked by
 * createRuntime (config/tls-files.ts), so setSecureContext does not refuse it; if it did, the reload fails.
 */
function replaceTls(server: Server, served: TlsPair | undefined, next: TlsPair | undefined, logger: PinoLogger): TlsPair | undefined {
  if (served === undefined || next === undefined) return served
  if (served.cert.equals(next.cert) && served.key.equals(next.key)) return served
  ;(server as unknown as TlsServer).setSecureContext({ cert: next.cert, key: next.key })
  logger.info({ x5t: next.x5t, serial: next.serial, notAfter: new Date(next.notAfter).toISOString() }, 'inbound TLS certificate replaced for new connections')
  return next
}

/** The outbound hooks of the metrics module, which counts by status code; ours report a status class. */
/** Stop accepting; resolves when in-flight calls are done (idle keep-alive connections close at once). */
function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve()
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeIdleConnections()
  })
}
