// Admin: who may talk to the admin listener at all, before any route (issue 17). A browser can be made to reach a
// loopback or pod address through DNS rebinding (a name the attacker controls resolving to 127.0.0.1): it then
// sends that name as Host, so only IP literals, localhost and the names in admin.allowedHosts are answered (421 for
// any other). And a browser's state-changing request (an Origin, or Sec-Fetch-Site cross-site / same-site) is
// refused: no web page may POST /reload, whichever address the browser reached. Both are catalogue answers.
import { isIP } from 'node:net'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { GatewayError, logError } from '../errors/index.js'
import { REFUSED, sendError } from './admin-errors.js'

/** The name in a Host header without its port, lowercase: `[::1]:9464` -> `::1`, `Localhost:9464` -> `localhost`. */
export function hostNameOf(host: string): string {
  const value = host.trim().toLowerCase()
  if (value.startsWith('[')) {
    const end = value.indexOf(']')
    return end === -1 ? value : value.slice(1, end)
  }
  const colon = value.indexOf(':')
  return colon === -1 ? value : value.slice(0, colon)
}

/** An IP literal, `localhost`, or a listed name. No Host at all (HTTP/1.0) is refused too. */
export function isAllowedAdminHost(host: string | undefined, allowedHosts: readonly string[]): boolean {
  if (host === undefined || host === '') return false
  const name = hostNameOf(host)
  return isIP(name) !== 0 || name === 'localhost' || allowedHosts.some((allowed) => allowed.toLowerCase() === name)
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** True for a request a browser made on a page's behalf that may change state (POST /reload). */
export function isBrowserStateChange(method: string, origin: string | undefined, fetchSite: string | undefined): boolean {
  if (SAFE_METHODS.has(method)) return false
  const site = fetchSite?.trim().toLowerCase()
  return origin !== undefined || site === 'cross-site' || site === 'same-site'
}

function refuse(reply: FastifyReply, err: GatewayError, context: Record<string, unknown>, msg: string): FastifyReply {
  logError(reply.log, err, undefined, context, msg)
  return sendError(reply, err, { fields: REFUSED })
}

export function registerAdminGuard(app: FastifyInstance, allowedHosts: () => readonly string[]): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (!isAllowedAdminHost(request.headers.host, allowedHosts())) {
      // The name is caller-chosen text: not logged.
      const err = new GatewayError('GW_ADMIN_HOST', { detail: { problem: 'admin_host' } })
      refuse(reply, err, { listener: 'admin', method: request.method }, 'admin request refused: Host is not an IP literal, localhost or in admin.allowedHosts')
      return
    }
    const fetchSite = request.headers['sec-fetch-site']
    if (isBrowserStateChange(request.method, request.headers.origin, typeof fetchSite === 'string' ? fetchSite : undefined)) {
      const err = new GatewayError('GW_ADMIN_CROSS_ORIGIN', { detail: { problem: 'cross_origin' } })
      refuse(reply, err, { listener: 'admin', method: request.method, remoteAddress: request.socket.remoteAddress }, 'admin request refused: cross-origin request')
      return
    }
    done()
  })
}
