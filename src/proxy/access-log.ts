// Proxy: one access/audit line per inbound request, written when the response closes, and the same record
// handed to metrics and the status page. The path is logged without its query string (a client may put a
// token there); no header value is ever logged; users are shown as configured, or hashed (logging.redactUsers).
import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { FastifyRequest } from 'fastify'
import type { GatewayConfig } from '../config/types.js'
import type { AuthType, UserClaims } from '../tokens/types.js'
import { rawPathOf } from './path-guard.js'
import { upgradeOf } from './websocket.js'

export type Outcome =
  | 'ok' // authenticated and forwarded; the backend's status is in upstreamStatus
  | 'public' // /metadata/json/1 or a publicPaths entry, no token needed
  | 'rejected' // 401: no token, or anything wrong with it
  | 'forbidden' // 403: verified, but the partner may not do this
  | 'unavailable' // 503: the partner's keys are unavailable
  | 'limited' // 429: the partner is over its ratePerSec/burst or maxConcurrent
  | 'bad_request' // 400/404/501: HTTP-level faults
  | 'upstream_error' // 502/504: the backend failed
  | 'error' // 500: a fault of ours
  | 'aborted' // the client went away before the response ended

/** The outcomes the status page counts as rejections of a partner's calls. */
export const REJECTED_OUTCOMES: ReadonlySet<Outcome> = new Set(['rejected', 'forbidden', 'unavailable', 'limited'])

export interface AccessRecord {
  /** Which listener answered (issue 13): proxied inbound, outbound, or a forward-auth decision. */
  listener: 'inbound' | 'outbound' | 'forward_auth'
  requestId: string
  method: string
  /** Raw path without the query string. */
  path: string
  status: number
  outcome: Outcome
  /** Registered partner name, when the token named one (even if then rejected). */
  partner: string | undefined
  authType: AuthType | undefined
  /** As configured (logging.userClaim), or `sha256:<16 hex>` with logging.redactUsers. */
  user: string | undefined
  code: string | undefined
  reason: string | undefined
  upstreamStatus: number | undefined
  upstreamError: string | undefined
  durationMs: number
  authMs: number | undefined
  upstreamMs: number | undefined
  /** Access decision of an authenticated request (issue 10): allow, deny or shadow_deny; undefined when none ran. */
  access: 'allow' | 'deny' | 'shadow_deny' | undefined
  /** The permission that allowed it. */
  permission: string | undefined
  /** The access.deny entry that refused it (or would have, in shadow mode). */
  deny: string | undefined
  /** Shadow mode: the rules would have refused this forwarded request (its reason is in `reason`). */
  wouldDeny: true | undefined
}

/** Receives the record of every finished inbound request (metrics, status page). */
export interface RequestObserver {
  onStart?(): void
  onDone?(record: AccessRecord): void
}

export function outcomeOf(request: FastifyRequest, res: ServerResponse): Outcome {
  const err = request.gw.error
  if (err !== undefined) {
    if (err.status === 401) return 'rejected'
    if (err.status === 403) return 'forbidden'
    if (err.code === 'GW_PARTNER_UNAVAILABLE') return 'unavailable'
    if (err.code === 'GW_RATE_LIMITED') return 'limited'
    if (err.code === 'GW_UPSTREAM_TIMEOUT' || err.code === 'GW_UPSTREAM_UNREACHABLE') return 'upstream_error'
    return err.status >= 500 && err.code !== 'GW_NOT_IMPLEMENTED' ? 'error' : 'bad_request'
  }
  if (!res.writableFinished) {
    // A relayed WebSocket (or the backend's refusal of one) is written to the socket, never through `res`.
    return request.gw.upstreamStatus !== undefined && upgradeOf(request.raw) !== undefined ? 'ok' : 'aborted'
  }
  return request.gw.identity === undefined ? 'public' : 'ok'
}

const USER_CLAIMS = ['upn', 'smtp', 'sip', 'nameid'] as const

/** The configured claim when present, else the first of upn, smtp, sip, nameid; hashed when redactUsers. */
export function userForLog(user: UserClaims | undefined, logging: GatewayConfig['logging']): string | undefined {
  if (user === undefined) return undefined
  const value = user[logging.userClaim] ?? USER_CLAIMS.map((claim) => user[claim]).find((v) => v !== undefined)
  if (value === undefined || !logging.redactUsers) return value
  // Pseudonymous, not anonymous: stable per user (so lines correlate), but a known address can be tested.
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`
}

/** A verified token refused afterwards (403 trust policy, 501 upgrade) says which kind it was. */
const verifiedAuthType = (value: unknown): AuthType | undefined => (value === 'app' || value === 'user' ? value : undefined)

const round = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms * 1000) / 1000)

export function accessRecordOf(request: FastifyRequest, res: ServerResponse): AccessRecord {
  const { identity, error, startedAt, runtime } = request.gw
  const partner = identity?.partner ?? error?.detail['partner']
  const upstreamError = error?.detail['upstreamError']
  const access = request.gw.access
  const refused = error?.code === 'GW_NOT_ALLOWED' && (error.detail['reason'] === 'permission' || error.detail['reason'] === 'denied_path')
  const deny = access?.deny ?? error?.detail['deny']
  return {
    listener: 'inbound',
    requestId: request.id,
    method: request.raw.method ?? '',
    path: rawPathOf(request.raw.url ?? ''),
    status: res.statusCode,
    outcome: outcomeOf(request, res),
    partner: typeof partner === 'string' ? partner : undefined,
    authType: identity?.authType ?? verifiedAuthType(error?.detail['authType']),
    user: userForLog(identity?.user, runtime.config.logging),
    code: error?.code,
    reason: error?.reason ?? (typeof error?.detail['reason'] === 'string' ? error.detail['reason'] : access?.reason),
    upstreamStatus: request.gw.upstreamStatus,
    upstreamError: typeof upstreamError === 'string' ? upstreamError : undefined,
    durationMs: round(performance.now() - startedAt) ?? 0,
    authMs: round(request.gw.authMs),
    upstreamMs: round(request.gw.upstreamMs),
    access: refused ? 'deny' : access?.decision,
    permission: access?.permission,
    deny: typeof deny === 'string' ? deny : undefined,
    wouldDeny: access?.decision === 'shadow_deny' ? true : undefined,
  }
}

/** Write the access line (reqId comes from the request logger's bindings) and return the record. */
export function logAccess(request: FastifyRequest, res: ServerResponse): AccessRecord {
  const record = accessRecordOf(request, res)
  const { requestId: _id, ...fields } = record
  request.log.info(fields, 'request')
  return record
}

/**
 * On the response's close: the access line, then the observer (metrics, status page). Neither may throw out of a
 * 'close' listener (that would end the process) nor cost the request its line: a failing record still gets a
 * minimal one, a failing observer is logged.
 */
export function finishRequest(request: FastifyRequest, res: ServerResponse, observer: RequestObserver): void {
  let record: AccessRecord
  try {
    record = logAccess(request, res)
  } catch (err) {
    request.log.error({ method: request.raw.method, status: res.statusCode, outcome: 'error', err }, 'request')
    return
  }
  try {
    observer.onDone?.(record)
  } catch (err) {
    request.log.error({ err }, 'request observer failed')
  }
}
