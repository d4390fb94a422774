// Net: HTTP-level guards for requests Node would otherwise answer in its own words or not at all: CONNECT (Node
// drops the socket without an answer), the parser's own refusals (a malformed or oversized head: Node wrote a bare
// 400/431), a Content-Length with leading zeros, and Expect: 100-continue (Node invited the body before we had
// authenticated the request). Every answer here is a catalogue answer, written on the raw socket.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { GatewayError, writeErrorOnSocket, type ErrorCode } from '../errors/index.js'
import type { Logger } from '../log/index.js'

/** Answer a CONNECT with our 400 and close: this gateway is not a forward proxy and tunnels nothing. */
export function refuseConnect(socket: Duplex, log: Logger, listener = 'inbound'): void {
  writeErrorOnSocket(socket, new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'connect' } }))
  // The authority it asked for is not logged: it is caller-chosen text, and no request line reached routing.
  log.info({ listener, method: 'CONNECT', status: 400, outcome: 'bad_request', code: 'GW_BAD_REQUEST', problem: 'connect' }, 'request')
}

/** The parser's error codes that have an answer of their own (as Node's default answers them); others are a 400. */
const PARSER_ANSWERS: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'GW_HEADERS_TOO_LARGE',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'GW_PAYLOAD_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'GW_REQUEST_TIMEOUT',
}

/**
 * A request Node's parser refused: our catalogue answer instead of Node's bare one, and a line that says so. Only the
 * parser's code is logged: the error also holds the raw bytes it choked on (a token among them).
 */
export function refuseUnparsed(error: Error & { code?: string }, socket: Duplex & { _httpMessage?: ServerResponse | null }, log: Logger, listener: string): void {
  const busy = socket._httpMessage
  const problem = typeof error.code === 'string' ? error.code : 'parse_error'
  // A TLS fault (a handshake that timed out or failed) reaches here too: there is no HTTP to answer in.
  const http = problem.startsWith('HPE_') || problem === 'ERR_HTTP_REQUEST_TIMEOUT' || problem === 'parse_error'
  if (!http || !socket.writable || (busy != null && busy.headersSent)) {
    socket.destroy()
    return
  }
  const err = new GatewayError(PARSER_ANSWERS[problem] ?? 'GW_BAD_REQUEST', { detail: { problem } })
  writeErrorOnSocket(socket, err)
  log.info({ listener, status: err.status, outcome: 'bad_request', code: err.code, problem }, 'request')
}

/**
 * Install the listeners below the request handler: CONNECT and unparsable requests are answered from the catalogue,
 * and `Expect: 100-continue` requests go to the handler like any other instead of being answered 100 by Node at
 * once; continueIfExpected sends the 100 after authentication. Without a 100, Node closes the connection after a
 * refusal, so an unread body is never taken for a request.
 */
export function installHttpGuards(server: Server, log: Logger, listener = 'inbound'): void {
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => refuseConnect(socket, log, listener))
  server.on('clientError', (error: Error, socket: Duplex) => refuseUnparsed(error, socket, log, listener))
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res))
}

const CONTINUE = /(?:^|,)\s*100-continue\s*(?:,|$)/i

/** After authentication: the `100 Continue` a client waits for before it sends its body (RFC 9110 §10.1.1). */
export function continueIfExpected(req: IncomingMessage, res: ServerResponse): void {
  const expect = req.headers.expect
  if (typeof expect === 'string' && req.httpVersion === '1.1' && CONTINUE.test(expect) && !res.headersSent) res.writeContinue()
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

// RFC 9110 §8.3.1: type "/" subtype, then optional parameters (not parsed: the body and its type are the backend's).
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*(?:;.*)?$/

/**
 * A request with a body whose Content-Type is no media type (`;;;`, `text/`, `a b/c`) is refused with 400: what a
 * backend makes of it is anyone's guess, and it is a client's fault, never a 500.
 */
export function assertMediaType(req: IncomingMessage): void {
  const type = req.headers['content-type']
  if (type === undefined || MEDIA_TYPE.test(type)) return
  const length = req.headers['content-length']
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  if (hasBody) throw new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'content_type' } })
}
