// Admin: the second listener (loopback by default) for health. Health routes are chosen by path and port
// only: no Host header, no token, no identity headers are looked at.
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Logger as PinoLogger } from 'pino'
import type { RuntimeHolder } from '../proxy/inbound-app.js'
import { partnerHealth } from './partner-health.js'

export interface AdminState {
  /** True once the config is loaded and every listener is up. */
  ready: boolean
}

export function buildAdminApp(holder: RuntimeHolder, state: AdminState, logger: PinoLogger): FastifyInstance {
  const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }), forceCloseConnections: true }) as unknown as FastifyInstance
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    // One broken partner never makes the gateway unready: every replica would leave service at once.
    const partners = partnerHealth(holder.current.registry.all(), Date.now())
    return reply.code(state.ready ? 200 : 503).send({ status: state.ready ? 'ready' : 'starting', partners })
  })
  return app
}
