// Proxy: the one place that turns a GatewayError into an HTTP answer, for fastify replies and for raw
// responses after the request was handed to http-proxy. The body is coarse; the reason goes to the log.
import type { ServerResponse } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError, publicBody, toGatewayError } from '../errors.js'
import type { Challenge } from './challenge.js'
import { closeIfBodyUnread } from './connection-guard.js'

/** Headers that go with an error answer: the challenge on 401, Retry-After on 503 and 429. */
export function errorHeaders(err: GatewayError, challenge: Challenge | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
  if (err.status === 401 && challenge !== undefined) {
    // RFC 6750 §3.1: no error attribute when the request carried no credentials at all.
    headers['www-authenticate'] = err.code === 'GW_TOKEN_MISSING' ? challenge.missing() : challenge.invalid()
  }
  if (err.status === 503 || err.status === 429) {
    const seconds = Number(err.detail['retryAfterSec'])
    headers['retry-after'] = String(Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1)
  }
  return headers
}

/** What the log gets: code, reason and detail (partner, x5t, claim name), never token text. */
export function logFields(err: GatewayError): Record<string, unknown> {
  const fields: Record<string, unknown> = { code: err.code, ...err.detail }
  if (err.reason !== undefined) fields['reason'] = err.reason
  if (err.code === 'GW_INTERNAL' && err.cause !== undefined) fields['err'] = err.cause
  return fields
}

/**
 * 401s are the floodable answer (anyone can send a bad token): their access line already carries code, reason and
 * partner at info, so the detail line (claim, x5t) is debug, and a rejection costs one log line, not two (issue 6).
 */
function levelOf(err: GatewayError): 'error' | 'info' | 'debug' {
  if (err.status >= 500) return 'error'
  return err.status === 401 ? 'debug' : 'info'
}

/** The public body depends on the code alone (catalogue text): serialized once per code, not per rejection. */
const bodyTextByCode = new Map<string, string>()

function bodyText(err: GatewayError): string {
  let text = bodyTextByCode.get(err.code)
  if (text === undefined) {
    text = JSON.stringify(publicBody(err))
    bodyTextByCode.set(err.code, text)
  }
  return text
}

export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply, challenge: Challenge | undefined): FastifyReply {
  const err = toGatewayError(error)
  request.log[levelOf(err)](logFields(err), err.message)
  closeIfBodyUnread(request.raw, reply.raw)
  // A string with its content-type already set is sent as is: the same bytes fastify's JSON.stringify would write.
  return reply.code(err.status).headers(errorHeaders(err, challenge)).send(bodyText(err))
}

/** For a response fastify no longer owns (hijacked for proxying). */
export function writeRawError(res: ServerResponse, err: GatewayError, challenge: Challenge | undefined): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = bodyText(err)
  closeIfBodyUnread(res.req, res)
  res.writeHead(err.status, { ...errorHeaders(err, challenge), 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
