// Regression (issue 11): a method fastify did not route, with the token in the query
// (`curl -X PURGE 'http://127.0.0.1:8443/api?access_token=SECRET'`), got fastify's own 404, whose body echoed the raw
// URL, token included. Every method Node's parser accepts now takes the one pipeline: our 401 without a token, the
// backend with one; a method Node's parser refuses is our 400. No answer and no log line holds the query.
import { METHODS } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EchoUpstream } from '../helpers/echo-upstream.js'
import type { TestGateway } from '../helpers/gateway.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { rawHttp } from '../helpers/raw-http.js'
import type { TestPartner } from '../helpers/tokens.js'

let stack: Stack
let upstream: EchoUpstream
let partner: TestPartner
let gw: TestGateway
beforeAll(async () => {
  stack = await startStack()
  ;({ upstream, exchange: partner, gw } = stack)
})
afterAll(() => stack?.close())

const SECRET = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2VjcmV0LXNpZ25hdHVyZQ'
const host = (): string => new URL(gw.url).host
const send = (method: string, extra = ''): ReturnType<typeof rawHttp> =>
  rawHttp(gw.url, `${method} /api?access_token=${SECRET} HTTP/1.1\r\nHost: ${host()}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`)

/** Every method Node parses but CONNECT (refused on its own, regression-connect-dropped) and HEAD (no body to check). */
const PARSED = METHODS.filter((m) => m !== 'CONNECT' && m !== 'HEAD')

describe('regression: an unrouted method echoed the URL and its token', () => {
  it.each(PARSED)('%s without a token: our 401, nothing echoed', async (method) => {
    upstream.seen.length = 0
    const res = await send(method)
    expect(res.status).toBe(401)
    expect(JSON.parse(res.body)).toEqual({ error: 'unauthorized', message: 'bearer token required' })
    expect(res.raw.includes(SECRET)).toBe(false)
    expect(res.raw.includes('access_token')).toBe(false)
    expect(upstream.seen).toHaveLength(0)
    expect(gw.logText().includes(SECRET)).toBe(false)
  })

  it.each(['PURGE', 'MERGE', 'ACL', 'PROPFIND', 'REPORT'])('%s with a valid token reaches the backend as that method', async (method) => {
    upstream.seen.length = 0
    const res = await send(method, `Authorization: Bearer ${partner.actorToken()}\r\n`)
    expect(res.status).toBe(200)
    expect(upstream.seen.map((r) => r.method)).toEqual([method])
    expect(gw.logs().some((l) => l['msg'] === 'request' && l['method'] === method && l['path'] === '/api' && l['outcome'] === 'ok')).toBe(true)
  })

  it("a method Node's parser refuses: our 400, nothing echoed, one line without the query", async () => {
    const res = await send('FROBNICATE')
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toEqual({ error: 'bad_request', message: 'bad request' })
    expect(res.raw.includes('access_token')).toBe(false)
    expect(gw.logs().some((l) => l['msg'] === 'request' && l['code'] === 'GW_BAD_REQUEST' && l['problem'] === 'HPE_INVALID_METHOD')).toBe(true)
    expect(gw.logText().includes(SECRET)).toBe(false)
  })
})
