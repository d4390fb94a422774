// Unit: the one error writer (errors/answer.ts): status, header set and body of an answer from the catalogue, the
// options a listener's dialect adds, and the same bytes on a response and on a bare socket.
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { errorAnswer, errorBody, GatewayError, tokenInvalid, writeErrorAnswer, writeErrorOnSocket, type Challenge } from '../../../src/errors/index.js'
import { parseRawResponse } from '../../helpers/raw-http.js'

const challenge: Challenge = { missing: () => 'Bearer realm="r"', invalid: () => 'Bearer realm="r",error="invalid_token"' }
const JSON_TYPE = 'application/json; charset=utf-8'

describe('errorAnswer', () => {
  it('is the catalogue status and generic body, JSON, never cached, with its length', () => {
    const answer = errorAnswer(new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'content_length' } }))
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body.toString())).toEqual({ error: 'bad_request', message: 'bad request' })
    expect(answer.headers).toEqual({ 'content-type': JSON_TYPE, 'cache-control': 'no-store', 'content-length': String(answer.body.length) })
  })

  it('serializes a body once per code: detail, reason and cause never reach it', () => {
    const a = errorBody(tokenInvalid('signature', { partner: 'exchange', x5t: 'abc' }))
    const b = errorBody(tokenInvalid('expired'))
    expect(a).toBe(b)
    expect(a.toString()).toBe('{"error":"invalid_token","message":"token rejected"}')
  })

  it.each([
    ['no token: the bare challenge', new GatewayError('GW_TOKEN_MISSING'), 'Bearer realm="r"'],
    ['a refused token: error="invalid_token"', tokenInvalid('expired'), 'Bearer realm="r",error="invalid_token"'],
  ])('a 401 with %s', (_label, err, value) => {
    expect(errorAnswer(err, { challenge }).headers['www-authenticate']).toBe(value)
  })

  it('a 401 without a challenge has none, and no other status gets one', () => {
    expect(errorAnswer(tokenInvalid('expired')).headers).not.toHaveProperty('www-authenticate')
    expect(errorAnswer(new GatewayError('GW_NOT_ALLOWED'), { challenge }).headers).not.toHaveProperty('www-authenticate')
  })

  it.each([
    ['a 503 without a hint: 1', new GatewayError('GW_PARTNER_UNAVAILABLE'), '1'],
    ['a 429 with 2.2 s to wait: 3', new GatewayError('GW_RATE_LIMITED', { detail: { retryAfterSec: 2.2 } }), '3'],
    ['a shutdown 503: 1', new GatewayError('GW_SHUTTING_DOWN'), '1'],
  ])('Retry-After on %s', (_label, err, value) => {
    expect(errorAnswer(err).headers['retry-after']).toBe(value)
  })

  it('takes a dialect\'s status, headers and body fields, and the length follows the body', () => {
    const err = new GatewayError('GW_OUTBOUND_UNREACHABLE', { detail: { fault: 'refused' } })
    const answer = errorAnswer(err, { status: 401, headers: { 'x-accel-expires': '0', 'cache-control': 'private' }, fields: { code: err.code, partner: 'dead' } })
    expect(answer.status).toBe(401)
    expect(answer.headers).toMatchObject({ 'x-accel-expires': '0', 'cache-control': 'private', 'content-length': String(answer.body.length) })
    expect(answer.body.toString()).toBe('{"error":"bad_gateway","message":"partner unreachable","code":"GW_OUTBOUND_UNREACHABLE","partner":"dead"}')
    // the per-code body is not touched by a dialect's fields
    expect(errorBody(err).toString()).toBe('{"error":"bad_gateway","message":"partner unreachable"}')
  })
})

/** A response on a socket whose written bytes we read back. */
function responseOnPipe(): { res: ServerResponse; written: () => string } {
  const req = new IncomingMessage(new Socket())
  req.complete = true
  const res = new ServerResponse(req)
  const socket = new PassThrough()
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  res.assignSocket(socket as unknown as Socket)
  return { res, written: () => Buffer.concat(chunks).toString() }
}

describe('writeErrorAnswer and writeErrorOnSocket', () => {
  it('write the same status, header set and body', async () => {
    const err = new GatewayError('GW_HEADERS_TOO_LARGE', { detail: { problem: 'HPE_HEADER_OVERFLOW' } })
    const { res, written } = responseOnPipe()
    writeErrorAnswer(res, err)
    const socket = new PassThrough()
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    writeErrorOnSocket(socket, err)
    await new Promise((resolve) => setImmediate(resolve))
    const onResponse = parseRawResponse(written())
    const onSocket = parseRawResponse(Buffer.concat(chunks).toString())
    for (const answer of [onResponse, onSocket]) {
      expect(answer.status).toBe(431)
      expect(answer.body).toBe('{"error":"headers_too_large","message":"request header fields too large"}')
      expect(answer.headers).toMatchObject({ 'content-type': JSON_TYPE, 'cache-control': 'no-store', 'content-length': String(answer.body.length) })
    }
    expect(onSocket.raw.startsWith('HTTP/1.1 431 Request Header Fields Too Large\r\n')).toBe(true)
    expect(onSocket.headers['connection']).toBe('close')
  })

  it('cuts the connection instead when an answer has begun (no second head after the first)', () => {
    const { res } = responseOnPipe()
    res.writeHead(200, { 'content-length': '10' })
    res.write('partial')
    writeErrorAnswer(res, new GatewayError('GW_UPSTREAM_UNREACHABLE'))
    expect(res.destroyed).toBe(true)
    expect(res.statusCode).toBe(200)
  })
})
