// Regression (issue 16): a request Node's parser refused on the outbound listener (a bad request line, an oversized
// head, an unknown method) got Node's bare 400 or 431 without a body, and nothing was logged: the listener had no
// 'clientError' handler, unlike the inbound one. An upgrade got a bare 501, unlogged too. Now each is the catalogue's
// answer from the one error writer, with one line that names the parser's code and never the query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawHttp } from '../helpers/raw-http.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { call, listenWithOutbound, outboundPartner } from '../integration/outbound-call.js'

const MARKER = 'qmark-0b7e41'
let stack: Stack
beforeAll(async () => {
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', metadataUrl, upstreamUrl)] }))
})
afterAll(() => stack?.close())

const out = (): string => stack.gw.running.outboundUrl ?? ''
const host = (): string => `Host: ${new URL(out()).host}`
const outboundLines = (problem: string): Array<Record<string, unknown>> =>
  stack.gw.logs().filter((l) => l['component'] === 'outbound' && l['listener'] === 'outbound' && l['problem'] === problem)

describe('regression: Node\'s bare answer to a request the outbound listener could not parse', () => {
  it.each([
    ['a bad HTTP version in the request line', `GET /exchange/x?t=${MARKER} HTTP/9.9\r\nHOST\r\n\r\n`, 400, 'GW_BAD_REQUEST', 'HPE_INVALID_VERSION', { error: 'bad_request', message: 'bad request' }],
    ['a method Node does not know', `FROBNICATE /exchange/x?t=${MARKER} HTTP/1.1\r\nHOST\r\n\r\n`, 400, 'GW_BAD_REQUEST', 'HPE_INVALID_METHOD', { error: 'bad_request', message: 'bad request' }],
    ['a head over 16 KiB', `GET /exchange/x?t=${MARKER} HTTP/1.1\r\nHOST\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'GW_HEADERS_TOO_LARGE', 'HPE_HEADER_OVERFLOW', { error: 'headers_too_large', message: 'request header fields too large' }],
  ])('%s: the catalogue answer, the connection closed, one line without the query', async (_label, request, status, code, problem, body) => {
    stack.upstream.seen.length = 0
    const res = await rawHttp(out(), request.replace('HOST', host()))
    expect(res.status).toBe(status)
    expect(JSON.parse(res.body)).toEqual(body)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['connection']).toBe('close')
    expect(res.raw).not.toContain(MARKER)
    expect(outboundLines(problem)).toEqual([expect.objectContaining({ level: 30, msg: 'request', status, code, outcome: 'bad_request' })])
    expect(stack.upstream.seen).toHaveLength(0)
    expect(stack.gw.logText()).not.toContain(MARKER)
  })

  it('an upgrade is our 501 with the catalogue body and a line, and nothing reaches the partner', async () => {
    stack.upstream.seen.length = 0
    const res = await rawHttp(out(), [`GET /exchange/socket?t=${MARKER} HTTP/1.1`, host(), 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '', ''].join('\r\n'))
    expect(res.status).toBe(501)
    expect(JSON.parse(res.body)).toEqual({ error: 'not_implemented', message: 'not implemented' })
    expect(outboundLines('upgrade')).toEqual([expect.objectContaining({ method: 'GET', path: '/exchange/socket', status: 501, code: 'GW_NOT_IMPLEMENTED' })])
    expect(stack.upstream.seen).toHaveLength(0)
    expect(stack.gw.logText()).not.toContain(MARKER)
  })

  it('the listener serves the next caller as before', async () => {
    expect((await call(out(), '/exchange/x')).status).toBe(200)
  })
})
