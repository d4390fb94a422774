// Errors: the one writer of error answers, for every listener (inbound, outbound, forward-auth, admin). An answer is
// the catalogue's status, its coarse body (serialized once per code) and one header set; a listener's dialect adds
// to it through options (the outbound body's code and partner, forward-auth's status mapping and X-Accel-Expires,
// the admin realm) and never writes an error any other way. Written on a response, on a bare socket (Node's parser
// refused the request, so there is no response), or handed to fastify (admin/admin-errors.ts).
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { closeIfBodyUnread } from './unread-body.js'
import { publicBody, type GatewayError } from './catalogue.js'

const JSON_TYPE = 'application/json; charset=utf-8'

/** The WWW-Authenticate value a 401 carries; the listener that authenticates bearer tokens supplies it. */
export interface Challenge {
  /** Header value for a request that carried no token. */
  missing(): string
  /** Header value for a rejected token (adds error="invalid_token"). */
  invalid(): string
}

export interface AnswerOptions {
  /** The challenge a 401 carries (RFC 6750 §3); without one, a 401 has none. */
  challenge?: Challenge | undefined
  /** The status to answer with instead of the catalogue's, for a dialect that cannot carry it (/auth/nginx). */
  status?: number | undefined
  /** Headers added to the catalogue's, or replacing one of them: RateLimit fields, request-id, X-Accel-Expires. */
  headers?: Readonly<Record<string, string>> | undefined
  /** Fields after `error` and `message` in the body (the outbound listener's code, partner and fault). */
  fields?: Readonly<Record<string, unknown>> | undefined
}

export interface ErrorAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

const NO_OPTIONS: AnswerOptions = {}

/** The body depends on the code alone (catalogue text): serialized once per code, not per answer. */
const bodies = new Map<string, Buffer>()

/** The public JSON body: coarse code and fixed text, then the listener's `fields`. */
export function errorBody(err: GatewayError, fields?: Readonly<Record<string, unknown>>): Buffer {
  if (fields !== undefined) return Buffer.from(JSON.stringify({ ...publicBody(err), ...fields }))
  let body = bodies.get(err.code)
  if (body === undefined) {
    body = Buffer.from(JSON.stringify(publicBody(err)))
    bodies.set(err.code, body)
  }
  return body
}

function challengeOf(err: GatewayError, challenge: Challenge | undefined): string | undefined {
  if (err.status !== 401 || challenge === undefined) return undefined
  // RFC 6750 §3.1: no error attribute when the request carried no credentials at all.
  return err.code === 'GW_TOKEN_MISSING' ? challenge.missing() : challenge.invalid()
}

/** Seconds to wait before retrying a 503 or 429 (RFC 9110 §10.2.3): the error's own, else 1. */
export function retryAfterOf(err: GatewayError): string | undefined {
  if (err.status !== 503 && err.status !== 429) return undefined
  const seconds = Number(err.detail['retryAfterSec'])
  return String(Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1)
}

/** Headers that go with an error answer: JSON, never cached, the challenge on 401, Retry-After on 503 and 429. */
export function errorHeaders(err: GatewayError, challenge?: Challenge): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }
  const challengeValue = challengeOf(err, challenge)
  if (challengeValue !== undefined) headers['www-authenticate'] = challengeValue
  const retryAfter = retryAfterOf(err)
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter
  return headers
}

/** Status, headers (content-length included) and body of the answer to `err`. */
export function errorAnswer(err: GatewayError, opts: AnswerOptions = NO_OPTIONS): ErrorAnswer {
  const body = errorBody(err, opts.fields)
  const headers = errorHeaders(err, opts.challenge)
  const extra = opts.headers
  if (extra !== undefined) for (const name in extra) headers[name] = extra[name] as string
  headers['content-length'] = String(body.length)
  return { status: opts.status ?? err.status, headers, body }
}

/**
 * Answer with the error, or cut the connection when an answer has already begun (a backend that failed mid-response:
 * a second head cannot follow the first). A refused request whose body was not read may get `Connection: close`.
 */
export function writeErrorAnswer(res: ServerResponse, err: GatewayError, opts?: AnswerOptions): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const answer = errorAnswer(err, opts)
  closeIfBodyUnread(res.req, res)
  res.writeHead(answer.status, answer.headers)
  res.end(answer.body)
}

/** Write the answer straight on a socket that has no response object (the parser refused the request), then close it. */
export function writeErrorOnSocket(socket: Duplex, err: GatewayError, opts?: AnswerOptions): void {
  const answer = errorAnswer(err, opts)
  let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n`
  for (const name in answer.headers) head += `${name}: ${answer.headers[name]}\r\n`
  socket.on('error', () => {}) // the client may already be gone; nothing to answer then
  socket.end(Buffer.concat([Buffer.from(`${head}connection: close\r\n\r\n`, 'latin1'), answer.body]))
}
