// Inbound: the limits step (issue 14 §1), after authentication and the permission decision and before anything
// reaches the backend (so before 100 Continue). A refused request gets 429 with Retry-After and the RateLimit
// fields; an admitted one holds its partner's concurrency slot until its response closes (inbound-handler.ts).
import { GatewayError } from '../errors/index.js'
import type { Limiter } from '../limits/index.js'
import type { InboundCall } from './inbound-call.js'

/** Undefined when the request may go on (its slot, if any, in call.release); else the 429 and its RateLimit fields. */
export function admitCall(call: InboundCall, limiter: Limiter): { err: GatewayError; headers: Record<string, string> } | undefined {
  const partner = call.identity?.partner
  if (partner === undefined) return undefined // public paths are nobody's: never counted against a partner
  const limits = call.runtime.limits.get(partner)
  if (limits === undefined) return undefined
  const admission = limiter.admit(partner, limits, 'request')
  if (admission.ok) {
    call.release = admission.release
    return undefined
  }
  const err = new GatewayError('GW_RATE_LIMITED', { detail: { partner, reason: admission.limit, retryAfterSec: admission.retryAfterSec } })
  return { err, headers: admission.headers }
}
