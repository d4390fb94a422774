// Forward-auth: one access line per decision (listener "forward_auth", the original method and path, never the
// query), and the same record handed to the inbound listener's observer (metrics, status page).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { logError, type GatewayError } from '../errors/index.js'
import type { Logger } from '../log/index.js'
import { outcomeOfError, userForLog, type AccessRecord, type Outcome, type RequestObserver } from '../inbound/index.js'
import { rawPathOf } from '../inbound/index.js'
import type { DecisionRuntime } from './runtime-view.js'
import type { Identity } from '../identity/index.js'
import type { Allowed } from './decide.js'
import type { Dialect, OriginalRequest } from './original.js'

/** What one decision learnt, filled in as it goes. */
export interface DecisionState {
  runtime: DecisionRuntime
  requestId: string
  startedAt: number
  dialect: Dialect | undefined
  original: OriginalRequest | undefined
  /** Once the token verified (a later deny still names its partner and auth type). */
  identity: Identity | undefined
  allowed: Allowed | undefined
  error: GatewayError | undefined
  authMs: number | undefined
  /** X-Accel-Expires of an allow. */
  cacheSec: number | undefined
}

function outcomeOf(state: DecisionState, res: ServerResponse): Outcome {
  if (state.error !== undefined) return outcomeOfError(state.error)
  return res.writableFinished ? 'ok' : 'aborted'
}

const round = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms * 1000) / 1000)

export function decisionRecordOf(state: DecisionState, req: IncomingMessage, res: ServerResponse): AccessRecord {
  const { error, allowed } = state
  const identity = state.identity
  const partner = identity?.partner ?? error?.detail['partner']
  const authType = identity?.authType ?? error?.detail['authType']
  const refused = error?.code === 'GW_NOT_ALLOWED' && (error.detail['reason'] === 'permission' || error.detail['reason'] === 'denied_path')
  const deny = allowed?.deny ?? error?.detail['deny']
  const reason = error?.reason ?? error?.detail['reason'] ?? error?.detail['problem'] ?? error?.detail['pathProblem'] ?? allowed?.reason
  return {
    listener: 'forward_auth',
    reqId: state.requestId,
    method: state.original?.method ?? req.method ?? '',
    path: rawPathOf(state.original?.url ?? req.url ?? ''),
    status: res.statusCode,
    outcome: outcomeOf(state, res),
    partner: typeof partner === 'string' ? partner : undefined,
    authType: authType === 'app' || authType === 'user' ? authType : undefined,
    user: userForLog(identity?.user, state.runtime.config.logging),
    code: error?.code,
    reason: typeof reason === 'string' ? reason : undefined,
    upstreamStatus: undefined,
    upstreamError: undefined,
    retried: undefined,
    durationMs: round(performance.now() - state.startedAt) ?? 0,
    authMs: round(state.authMs),
    upstreamMs: undefined,
    access: refused ? 'deny' : allowed?.decision,
    permission: allowed?.permission,
    deny: typeof deny === 'string' ? deny : undefined,
    wouldDeny: allowed?.decision === 'shadow_deny' ? true : undefined,
  }
}

/** On the response's close: the access line, then the observer; neither may throw out of a 'close' listener. */
export function finishDecision(state: DecisionState, req: IncomingMessage, res: ServerResponse, logger: Logger, observer: RequestObserver): void {
  let record: AccessRecord
  try {
    record = decisionRecordOf(state, req, res)
    logger.info({ ...record, dialect: state.dialect, cacheSec: state.cacheSec }, 'request')
  } catch (err) {
    logger.error({ listener: 'forward_auth', reqId: state.requestId, status: res.statusCode, outcome: 'error', err }, 'request')
    return
  }
  try {
    observer.onDone?.(record)
  } catch (err) {
    logger.error({ err }, 'request observer failed')
  }
}

const FORWARD_AUTH = { listener: 'forward_auth' } as const

/** The detail of a deny (claim, x5t, problem), beside the access line, at the one rule's level (errors/level.ts). */
export function logDeny(err: GatewayError, requestId: string, logger: Logger): void {
  logError(logger, err, requestId, FORWARD_AUTH)
}
