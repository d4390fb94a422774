// Admin: POST /reload. Loopback callers, or callers presenting admin.reloadToken; the answer says whether the
// new configuration was swapped in, and lists every problem when it was refused. The token is never logged.
import type { FastifyInstance } from 'fastify'
import type { AdminRuntime } from './runtime-view.js'
import { checkReloadAccess } from './reload-access.js'
import type { ReloadOutcome } from '../config/index.js'

export function registerReloadRoute(app: FastifyInstance, runtime: () => AdminRuntime, reload: () => ReloadOutcome | Promise<ReloadOutcome>): void {
  app.post('/reload', async (request, reply) => {
    // Browsers (an Origin, Sec-Fetch-Site) were refused before any route: admin-guard.ts.
    const access = checkReloadAccess(request.socket.remoteAddress, request.headers.authorization, runtime().config.admin.reloadToken)
    if (access !== 'allowed') {
      request.log.warn({ remoteAddress: request.socket.remoteAddress, access }, 'POST /reload refused')
      if (access === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="s2s-gateway-admin"')
      return reply.code(access === 'unauthorized' ? 401 : 403).send({ result: 'refused', message: access === 'unauthorized' ? 'reload token required' : 'loopback callers only' })
    }
    request.log.info({ remoteAddress: request.socket.remoteAddress }, 'configuration reload requested over HTTP')
    const outcome = await reload()
    if (outcome.result === 'unavailable') return reply.code(501).send({ result: 'unavailable', message: 'this gateway has no configuration file to reload' })
    return reply.code(outcome.result === 'success' ? 200 : 422).send(outcome)
  })
}
