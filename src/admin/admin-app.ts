// Admin: the second listener (loopback by default): /healthz, /readyz, /metrics, /status, /status.json and
// POST /reload. Routes are chosen by path and port; Host must be an IP literal, localhost or in admin.allowedHosts (admin-guard.ts).
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Logger as PinoLogger } from 'pino'
import type { AdminRuntime } from './runtime-view.js'
import type { Activity } from './activity.js'
import { adminClientErrorHandler, answerFrameworkError, registerAdminErrors } from './admin-errors.js'
import { registerAdminGuard } from './admin-guard.js'
import type { GatewayMetrics } from './metrics.js'
import { partnerHealth } from './partner-health.js'
import type { ReloadControl, ReloadOutcome } from '../config/index.js'
import { registerReloadRoute } from './reload-route.js'
import type { StatusInputs } from './status-data.js'
import { registerStatusRoutes } from './status-routes.js'

export interface AdminState {
  /** True once the config is loaded and every listener is up. */
  ready: boolean
  /** True once close() started: /readyz answers 503 while in-flight requests drain. */
  draining?: boolean
}

export interface AdminOps {
  metrics: GatewayMetrics
  activity: Activity
  reloads: ReloadControl
  /** Clock, epoch ms. */
  now: () => number
  startedAt: number
  /** Requests of a partner in flight to the backend (status page). */
  inFlight?: (partner: string) => number
  /** Serves /metrics instead of metrics.scrape (the primary of several workers: src/workers/). */
  scrape?: () => Promise<{ contentType: string; body: string }>
  /** The status page's traffic, denials and in-flight counts instead of this process's (the primary of several workers). */
  traffic?: (minutes: number) => Promise<Pick<StatusInputs, 'activity' | 'accessDenials' | 'inFlight'>>
  /** POST /reload instead of reloads.fromSource('http'): answers once every worker has switched. */
  reloadHttp?: () => Promise<ReloadOutcome>
}

function readiness(state: AdminState): 'ready' | 'starting' | 'draining' {
  if (state.draining === true) return 'draining'
  return state.ready ? 'ready' : 'starting'
}

export function buildAdminApp(holder: { current: AdminRuntime }, state: AdminState, logger: PinoLogger, ops: AdminOps): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    // Every error answer is the catalogue's (admin-errors.ts), those fastify would write on its own included.
    clientErrorHandler: adminClientErrorHandler(logger),
    frameworkErrors: answerFrameworkError,
  }) as unknown as FastifyInstance
  registerAdminErrors(app)
  registerAdminGuard(app, () => holder.current.config.admin.allowedHosts)
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    // One broken partner never makes the gateway unready: every replica would leave service at once.
    const status = readiness(state)
    const runtime = holder.current
    const partners = partnerHealth(runtime.registry.all(), ops.now())
    const authorizationServers = partnerHealth(runtime.authorizationServers.all().map((s) => s.metadata), ops.now())
    const reloads = ops.reloads.status()
    const config = { loadedAt: new Date(reloads.loadedAt).toISOString(), lastReload: reloads.last?.result ?? null }
    return reply.code(status === 'ready' ? 200 : 503).send({ status, partners, authorizationServers, config })
  })
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await (ops.scrape === undefined ? ops.metrics.scrape() : ops.scrape())
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body)
  })
  registerStatusRoutes(app, async () => ({
    runtime: holder.current,
    activity: ops.activity,
    reloads: ops.reloads.status(),
    ready: state.ready,
    draining: state.draining === true,
    startedAt: ops.startedAt,
    now: ops.now(),
    ...(ops.inFlight === undefined ? {} : { inFlight: ops.inFlight }),
    accessDenials: ops.metrics.accessDenials,
    ...(ops.traffic === undefined ? {} : await ops.traffic(ops.activity.minutes)),
  }))
  registerReloadRoute(app, () => holder.current, ops.reloadHttp ?? (() => ops.reloads.fromSource('http')))
  return app
}
