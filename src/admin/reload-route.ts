// Admin: POST /reload. Loopback callers, or callers presenting admin.reloadToken; the answer says whether the
// new configuration was swapped in, and lists every problem when it was refused. The token is never logged.
import type { FastifyInstance } from 'fastify'
import { GatewayError, logError, type Challenge } from '../errors/index.js'
import type { AdminRuntime } from './runtime-view.js'
import { REFUSED, sendError } from './admin-errors.js'
import { checkReloadAccess } from './reload-access.js'
import type { ReloadOutcome } from '../config/index.js'

/** The admin realm, with no error attribute whether the token was missing or wrong: the reload token is no OAuth token. */
const ADMIN_REALM = 'Bearer realm="s2s-gateway-admin"'
const RELOAD_CHALLENGE: Challenge = { missing: () => ADMIN_REALM, invalid: () => ADMIN_REALM }

export function registerReloadRoute(app: FastifyInstance, runtime: () => AdminRuntime, reload: () => ReloadOutcome | Promise<ReloadOutcome>): void {
  app.post('/reload', async (request, reply) => {
    // Browsers (an Origin, Sec-Fetch-Site) were refused before any route: admin-guard.ts.
    const access = checkReloadAccess(request.socket.remoteAddress, request.headers.authorization, runtime().config.admin.reloadToken)
    if (access !== 'allowed') {
      const err = new GatewayError(access === 'unauthorized' ? 'GW_ADMIN_RELOAD_TOKEN' : 'GW_ADMIN_RELOAD_LOOPBACK')
      logError(request.log, err, undefined, { listener: 'admin', remoteAddress: request.socket.remoteAddress, access }, 'POST /reload refused')
      return sendError(reply, err, { challenge: RELOAD_CHALLENGE, fields: REFUSED })
    }
    request.log.info({ remoteAddress: request.socket.remoteAddress }, 'configuration reload requested over HTTP')
    const outcome = await reload()
    if (outcome.result === 'unavailable') return reply.code(501).send({ result: 'unavailable', message: 'this gateway has no configuration file to reload' })
    return reply.code(outcome.result === 'success' ? 200 : 422).send(outcome)
  })
}
