// Proxy: one access/audit line per inbound request, written when the response closes. The path is logged
// without its query string (a client may put a token there); no header value is ever logged.
import type { ServerResponse } from 'node:http'
import type { FastifyRequest } from 'fastify'
import { rawPathOf } from './path-guard.js'

export type Outcome = 'ok' | 'rejected' | 'forbidden' | 'unavailable' | 'bad_request' | 'upstream_error' | 'aborted' | 'public'

export function outcomeOf(request: FastifyRequest, res: ServerResponse): Outcome {
  const err = request.gw.error
  if (err !== undefined) {
    if (err.status === 401) return 'rejected'
    if (err.status === 403) return 'forbidden'
    if (err.status === 503) return 'unavailable'
    if (err.status >= 500) return 'upstream_error'
    return 'bad_request'
  }
  if (!res.writableFinished) return 'aborted'
  return request.gw.identity === undefined ? 'public' : 'ok'
}

export function logAccess(request: FastifyRequest, res: ServerResponse): void {
  const { identity, error, startedAt } = request.gw
  const user = identity?.user
  request.log.info(
    {
      method: request.raw.method,
      path: rawPathOf(request.raw.url ?? ''),
      status: res.statusCode,
      outcome: outcomeOf(request, res),
      partner: identity?.partner ?? error?.detail['partner'],
      authType: identity?.authType,
      user: user === undefined ? undefined : (user.upn ?? user.smtp ?? user.sip ?? user.nameid),
      code: error?.code,
      reason: error?.reason,
      durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
    },
    'request',
  )
}
