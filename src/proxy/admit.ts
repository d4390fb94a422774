// Proxy: the limits step (issue 14 §1), after authentication and the permission decision and before anything
// reaches the backend (so before 100 Continue). A refused request gets 429 with Retry-After and the RateLimit
// fields; an admitted one holds its partner's concurrency slot until its response closes.
import type { ServerResponse } from 'node:http'
import type { FastifyRequest } from 'fastify'
import { GatewayError } from '../errors.js'
import type { Limiter } from '../limits/index.js'
import { logFields, writeRawError } from './reply-error.js'

/** True when the request may go on; false when it was answered with 429. */
export function admitRequest(request: FastifyRequest, res: ServerResponse, limiter: Limiter): boolean {
  const gw = request.gw
  const partner = gw.identity?.partner
  if (partner === undefined) return true // public paths are nobody's: never counted against a partner
  const limits = gw.runtime.limits.get(partner)
  if (limits === undefined) return true
  const admission = limiter.admit(partner, limits, 'request')
  if (admission.ok) {
    res.once('close', admission.release)
    return true
  }
  const err = new GatewayError('GW_RATE_LIMITED', { detail: { partner, reason: admission.limit, retryAfterSec: admission.retryAfterSec } })
  gw.error = err
  request.log.info(logFields(err), err.message)
  for (const [name, value] of Object.entries(admission.headers)) res.setHeader(name, value)
  writeRawError(res, err, undefined)
  return false
}
