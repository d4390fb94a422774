// Proxy: HTTP-level guards around fastify's routing, for requests fastify or Node would otherwise answer in their
// own words or not at all. CONNECT (Node drops the socket without an answer), a second Host field (RFC 9112 §3.2:
// 400), fastify's own client faults (a bad URL echoed the raw target, query and any token in it, back to the
// caller; a malformed Content-Type became a 500), and Expect: 100-continue (Node invited the body before we had
// authenticated the request).
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { GatewayError, publicBody, toGatewayError } from '../errors.js'
import type { Logger } from '../logger.js'

/** Answer a CONNECT with our 400 and close: this gateway is not a forward proxy and tunnels nothing. */
export function refuseConnect(socket: Duplex, log: Logger): void {
  const err = new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'connect' } })
  const body = JSON.stringify(publicBody(err))
  socket.on('error', () => {}) // the client may already be gone; nothing to answer then
  socket.end(
    `HTTP/1.1 ${err.status} Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
  // The authority it asked for is not logged: it is caller-chosen text, and no request line reached routing.
  log.info({ method: 'CONNECT', status: err.status, outcome: 'bad_request', code: err.code, problem: 'connect' }, 'request')
}

/**
 * Install the listeners below fastify: CONNECT is refused, and `Expect: 100-continue` requests go to fastify like
 * any other instead of being answered 100 by Node at once; continueIfExpected sends the 100 after authentication.
 * Without a 100, Node closes the connection after a refusal, so an unread body is never taken for a request.
 */
export function installHttpGuards(server: Server, log: Logger): void {
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => refuseConnect(socket, log))
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res))
}

const CONTINUE = /(?:^|,)\s*100-continue\s*(?:,|$)/i

/** After authentication: the `100 Continue` a client waits for before it sends its body (RFC 9110 §10.1.1). */
export function continueIfExpected(req: IncomingMessage, res: ServerResponse): void {
  const expect = req.headers.expect
  if (typeof expect === 'string' && req.httpVersion === '1.1' && CONTINUE.test(expect) && !res.headersSent) res.writeContinue()
}

/** RFC 9112 §3.2: a request with more than one Host field is answered 400 (Node keeps the first silently). */
export function assertSingleHost(rawHeaders: readonly string[]): void {
  let hosts = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (name !== undefined && name.length === 4 && name.toLowerCase() === 'host' && ++hosts > 1) {
      throw new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'duplicate_host' } })
    }
  }
}

/**
 * A Content-Length with leading zeros (`010`) is refused with 400: Node reads it as ten, but a backend or a proxy in
 * between might read it otherwise (octal, or as invalid), and a request whose length two parties disagree on is how
 * requests are smuggled. Node has already refused anything but digits.
 */
export function assertPlainContentLength(contentLength: string | undefined): void {
  if (contentLength !== undefined && contentLength.length > 1 && contentLength.charCodeAt(0) === 0x30) {
    throw new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'content_length' } })
  }
}

/**
 * Errors that reach the inbound error handler: ours as they are; fastify's own client faults (FST_ERR_BAD_URL,
 * FST_ERR_CTP_INVALID_MEDIA_TYPE, ... any 4xx it attaches) as our 400, keeping only the fastify code for the
 * log (their messages quote the request target); anything else is an internal error.
 */
export function toInboundError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error
  const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && typeof code === 'string' && code.startsWith('FST_')) {
    return new GatewayError('GW_BAD_REQUEST', { detail: { problem: code } })
  }
  return toGatewayError(error)
}
