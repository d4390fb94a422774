// Proxy: the one place that turns a GatewayError into an HTTP answer on a listener's raw response (inbound, and the
// outbound listener through outbound/reply.ts). The body is coarse and serialized once per code; the reason goes
// to the log, at the level one rule chooses (levelOf).
import type { ServerResponse } from 'node:http'
import { GatewayError, publicBody } from '../errors/index.js'
import type { Logger } from '../logger.js'
import type { Challenge } from './challenge.js'
import { closeIfBodyUnread } from './connection-guard.js'

const JSON_TYPE = 'application/json; charset=utf-8'

/** Headers that go with an error answer: the challenge on 401, Retry-After on 503 and 429. */
export function errorHeaders(err: GatewayError, challenge: Challenge | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }
  const challengeValue = challengeOf(err, challenge)
  if (challengeValue !== undefined) headers['www-authenticate'] = challengeValue
  const retryAfter = retryAfterOf(err)
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter
  return headers
}

function challengeOf(err: GatewayError, challenge: Challenge | undefined): string | undefined {
  if (err.status !== 401 || challenge === undefined) return undefined
  // RFC 6750 §3.1: no error attribute when the request carried no credentials at all.
  return err.code === 'GW_TOKEN_MISSING' ? challenge.missing() : challenge.invalid()
}

function retryAfterOf(err: GatewayError): string | undefined {
  if (err.status !== 503 && err.status !== 429) return undefined
  const seconds = Number(err.detail['retryAfterSec'])
  return String(Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1)
}

/** What the log gets: code, reason and detail (partner, x5t, claim name), never token text. */
export function logFields(err: GatewayError): Record<string, unknown> {
  const fields: Record<string, unknown> = { code: err.code, ...err.detail }
  if (err.reason !== undefined) fields['reason'] = err.reason
  if (err.code === 'GW_INTERNAL' && err.cause !== undefined) fields['err'] = err.cause
  return fields
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug'

/** Answers that say someone else failed (the backend, a partner's keys): warnings, not our errors. */
const OTHERS_FAULT: ReadonlySet<string> = new Set(['GW_UPSTREAM_TIMEOUT', 'GW_UPSTREAM_UNREACHABLE', 'GW_PARTNER_UNAVAILABLE'])

/**
 * The one rule for the level of an error's detail line. 401s are the floodable answer (anyone can send a bad token):
 * their access line already carries code, reason and partner at info, so the detail (claim, x5t) is debug and a
 * rejection costs one line (issue 6). Other 4xx, 501 and a shutdown's 503 are info; someone else's fault is a
 * warning; what is left (500) is ours: error.
 */
export function levelOf(err: GatewayError): LogLevel {
  if (err.status === 401) return 'debug'
  if (err.status < 500 || err.code === 'GW_NOT_IMPLEMENTED' || err.code === 'GW_SHUTTING_DOWN') return 'info'
  return OTHERS_FAULT.has(err.code) ? 'warn' : 'error'
}

/** Log an error's detail line with the request id, building the fields only when the level is on. */
export function logError(log: Logger & { isLevelEnabled?(level: string): boolean }, err: GatewayError, reqId: string): void {
  const level = levelOf(err)
  if (log.isLevelEnabled !== undefined && !log.isLevelEnabled(level)) return
  log[level]({ reqId, ...logFields(err) }, err.message)
}

/** The public body depends on the code alone (catalogue text): serialized once per code, not per answer. */
const bodies = new Map<string, Buffer>()

export function errorBody(err: GatewayError): Buffer {
  let body = bodies.get(err.code)
  if (body === undefined) {
    body = Buffer.from(JSON.stringify(publicBody(err)))
    bodies.set(err.code, body)
  }
  return body
}

/**
 * Answer with the error, or cut the connection when an answer has already begun (a backend that failed mid-response).
 * `extra` headers (429's RateLimit fields) go with it.
 */
export function writeErrorAnswer(res: ServerResponse, err: GatewayError, challenge: Challenge | undefined, extra?: Record<string, string>): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = errorBody(err)
  closeIfBodyUnread(res.req, res)
  res.statusCode = err.status
  res.setHeader('content-type', JSON_TYPE)
  res.setHeader('cache-control', 'no-store')
  res.setHeader('content-length', body.length)
  const challengeValue = challengeOf(err, challenge)
  if (challengeValue !== undefined) res.setHeader('www-authenticate', challengeValue)
  const retryAfter = retryAfterOf(err)
  if (retryAfter !== undefined) res.setHeader('retry-after', retryAfter)
  if (extra !== undefined) for (const name in extra) res.setHeader(name, extra[name] as string)
  res.end(body)
}
