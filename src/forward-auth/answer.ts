// Forward-auth: the answers. An allow is 200 with an empty body, the identity headers the inbound listener would
// send upstream and X-Accel-Expires (how long nginx may cache it); a deny carries the inbound listener's status,
// challenge and JSON body, with X-Accel-Expires: 0. nginx's auth_request turns anything but 2xx, 401 and 403 into
// a 500, so /auth/nginx says "retry later" as a 401 (keys unavailable, a fault of ours) or a 403 (rate limited),
// each with Retry-After, which the shipped nginx config turns back into 503 and 429 for the client. A deny is the
// one error writer's answer (errors/answer.ts); only that mapping and the headers above are this dialect's own.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import { retryAfterOf, writeErrorAnswer, type GatewayError } from '../errors/index.js'
import { IDENTITY_HEADERS, applyIdentityHeaders } from '../identity/index.js'
import type { DecisionRuntime } from './runtime-view.js'
import type { Allowed } from './decide.js'
import { LIMIT_HEADERS } from './decide.js'
import type { Dialect } from './original.js'

/** Seconds a proxy may cache this allow: never past the token's exp, never past forwardAuth.maxCacheSec. */
export function cacheSecondsOf(allowed: Allowed, runtime: DecisionRuntime, nowMs: number): number {
  const left = Math.floor(allowed.identity.expiresAt - nowMs / 1000)
  return Math.max(0, Math.min(runtime.config.forwardAuth.maxCacheSec, left))
}

export function writeAllow(res: ServerResponse, allowed: Allowed, cacheSec: number, requestId: string): void {
  const headers: IncomingHttpHeaders = {}
  applyIdentityHeaders(headers, allowed.identity)
  if (allowed.permission !== undefined) headers[IDENTITY_HEADERS.permission] = allowed.permission
  headers['x-accel-expires'] = String(cacheSec)
  headers['request-id'] = requestId
  headers['content-length'] = '0'
  res.writeHead(200, headers as Record<string, string>)
  res.end()
}

/** The status a dialect can carry for an error: /auth/nginx only 401 and 403. */
export function answerStatusOf(err: GatewayError, dialect: Dialect | undefined): number {
  if (dialect !== 'nginx' || err.status === 401 || err.status === 403) return err.status
  return err.status === 429 ? 403 : 401
}

export function writeDeny(res: ServerResponse, err: GatewayError, dialect: Dialect | undefined, runtime: DecisionRuntime, requestId: string): void {
  const status = answerStatusOf(err, dialect)
  const headers: Record<string, string> = { ...LIMIT_HEADERS.get(err), 'x-accel-expires': '0', 'request-id': requestId }
  // A mapped 5xx is not a credentials problem: no challenge, but Retry-After (the nginx config answers 503 with it).
  const mapped = status !== err.status
  if (mapped) headers['retry-after'] = retryAfterOf(err) ?? '1'
  writeErrorAnswer(res, err, { status, headers, challenge: mapped ? undefined : runtime.challenge })
}
