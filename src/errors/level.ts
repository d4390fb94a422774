// Errors: the one rule for the level an error's log line is written at, whichever listener answered, and what that
// line holds. The level follows whose failure the catalogue says the answer reports (catalogue.ts, Fault).
import type { Logger } from '../log/index.js'
import type { Fault, GatewayError } from './catalogue.js'

export type LogLevel = 'error' | 'warn' | 'info' | 'debug'

/**
 * A refused token is debug: anyone can send one, and the access line already carries its code, reason and partner at
 * info, so a rejection costs one line (issue 6). A caller's mistake and a shutdown's 503 are info; what only an attack
 * earns, and someone else's failure, are warnings; what is left is ours: error.
 */
const LEVEL_OF: Readonly<Record<Fault, LogLevel>> = { token: 'debug', caller: 'info', none: 'info', suspect: 'warn', peer: 'warn', ours: 'error' }

export function levelOf(err: GatewayError): LogLevel {
  return LEVEL_OF[err.fault]
}

/**
 * What the log gets: code, reason and detail (partner, x5t, claim name), never token text. The cause (a socket error,
 * a token server's refusal, our own exception) only when the fault is not the caller's: it is what an operator fixes.
 */
export function logFields(err: GatewayError): Record<string, unknown> {
  const fields: Record<string, unknown> = { code: err.code, ...err.detail }
  if (err.reason !== undefined) fields['reason'] = err.reason
  if ((err.fault === 'ours' || err.fault === 'peer') && err.cause !== undefined) fields['err'] = err.cause
  return fields
}

type LevelLogger = Logger & { isLevelEnabled?(level: string): boolean }

/**
 * Log an error's line at its level with the request id (when the listener has one) and `extra` context (listener,
 * method), building the fields only when the level is on. `msg` defaults to the catalogue text.
 */
export function logError(log: LevelLogger, err: GatewayError, reqId?: string, extra?: Readonly<Record<string, unknown>>, msg: string = err.message): void {
  const level = levelOf(err)
  if (log.isLevelEnabled !== undefined && !log.isLevelEnabled(level)) return
  log[level](reqId === undefined ? { ...extra, ...logFields(err) } : { reqId, ...extra, ...logFields(err) }, msg)
}
