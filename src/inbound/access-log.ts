// Inbound: one access/audit line per inbound request, written when the response closes, and the same record
// handed to metrics and the status page: built once, logged through the root logger with the request id as a field.
// The path is logged without its query string (a client may put a token there); no header value is ever logged;
// users are shown as configured, or hashed (logging.redactUsers).
import { createHash } from 'node:crypto'
import type { Logger as PinoLogger } from 'pino'
import type { GatewayError } from '../errors/index.js'
import { logFlatLine } from '../log/index.js'
import type { GatewayConfig } from '../schema/index.js'
import type { AuthType, UserClaims } from '../identity/index.js'
import type { InboundCall } from './inbound-call.js'
import { rawPathOf } from './path-guard.js'
import { wasResent } from '../upstream/index.js'

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
  /** The request id (client-request-id or ours), echoed in the `request-id` header. */
  reqId: string
  /** Which listener answered (issue 13 adds forward_auth). */
  listener: 'inbound' | 'outbound' | 'forward_auth'
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
  /** Sent to the backend a second time after a reused connection's reset (GET, HEAD, OPTIONS, TRACE without a body). */
  retried: true | undefined
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

/** What `outcomeOf` reads of a request. */
export type OutcomeFacts = Pick<InboundCall, 'error' | 'identity' | 'upstreamStatus' | 'upgrade'> & { res: { writableFinished: boolean } }

/**
 * The outcome of a request refused or failed with `err`: the one rule for every listener's access line and
 * s2s_gateway_requests_total (inbound, forward-auth decisions and outbound calls). Statuses are the catalogue's,
 * before any dialect maps them (/auth/nginx answers an unavailable partner with 401, still counted unavailable).
 */
export function outcomeOfError(err: GatewayError): Outcome {
  if (err.code === 'GW_PARTNER_UNAVAILABLE') return 'unavailable'
  if (err.code === 'GW_RATE_LIMITED') return 'limited'
  if (err.status === 401) return 'rejected'
  if (err.status === 403) return 'forbidden'
  if (err.status === 502 || err.status === 504) return 'upstream_error' // the backend, or a partner called outbound
  return err.status >= 500 && err.code !== 'GW_NOT_IMPLEMENTED' ? 'error' : 'bad_request'
}

export function outcomeOf(call: OutcomeFacts): Outcome {
  if (call.error !== undefined) return outcomeOfError(call.error)
  if (!call.res.writableFinished) {
    // A relayed WebSocket (or the backend's refusal of one) is written to the socket, never through `res`.
    return call.upstreamStatus !== undefined && call.upgrade !== undefined ? 'ok' : 'aborted'
  }
  return call.identity === undefined ? 'public' : 'ok'
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

export function accessRecordOf(call: InboundCall): AccessRecord {
  const { identity, error, access } = call
  const detail = error?.detail
  const partner = identity?.partner ?? detail?.['partner']
  const upstreamError = detail?.['upstreamError']
  const refused = error?.code === 'GW_NOT_ALLOWED' && (detail?.['reason'] === 'permission' || detail?.['reason'] === 'denied_path')
  const deny = access?.deny ?? detail?.['deny']
  return {
    reqId: call.id,
    listener: 'inbound',
    method: call.req.method ?? '',
    path: rawPathOf(call.req.url ?? ''),
    status: call.res.statusCode,
    outcome: outcomeOf(call),
    partner: typeof partner === 'string' ? partner : undefined,
    authType: identity?.authType ?? verifiedAuthType(detail?.['authType']),
    user: identity?.user === undefined ? undefined : userForLog(identity.user, call.runtime.config.logging),
    code: error?.code,
    reason: error === undefined ? access?.reason : error.reason ?? (typeof detail?.['reason'] === 'string' ? detail['reason'] : access?.reason),
    upstreamStatus: call.upstreamStatus,
    upstreamError: typeof upstreamError === 'string' ? upstreamError : undefined,
    retried: wasResent(call.req) ? true : undefined,
    durationMs: round(performance.now() - call.startedAt) ?? 0,
    authMs: round(call.authMs),
    upstreamMs: round(call.upstreamMs),
    access: refused ? 'deny' : access?.decision,
    permission: access?.permission,
    deny: typeof deny === 'string' ? deny : undefined,
    wouldDeny: access?.decision === 'shadow_deny' ? true : undefined,
  }
}

/**
 * On the response's close: the access line through the root logger, then the observer (metrics, status page).
 * Neither may throw out of a 'close' listener (that would end the process) nor cost the request its line: a
 * failing record still gets a minimal one, a failing observer is logged.
 */
export function finishCall(call: InboundCall, log: PinoLogger, observer: RequestObserver): void {
  let record: AccessRecord
  try {
    record = accessRecordOf(call)
    logFlatLine(log, record, 'request')
  } catch (err) {
    log.error({ reqId: call.id, method: call.req.method, status: call.res.statusCode, outcome: 'error', err }, 'request')
    return
  }
  try {
    observer.onDone?.(record)
  } catch (err) {
    log.error({ reqId: call.id, err }, 'request observer failed')
  }
}
