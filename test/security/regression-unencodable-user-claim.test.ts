// Regression (issue 17, hole 1): a verified user token whose outer claims held a string that cannot be encoded
// into a header value (a lone UTF-16 surrogate) got no answer at all: identity encoding threw after fastify had
// handed the response over, the log showed only fastify's "Reply was already sent" (with the raw URL, query
// included), no access line was written, and the socket stayed open. Now such a claim is refused with our 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestGateway } from '../helpers/gateway.js'
import { rawHttp } from '../helpers/raw-http.js'
import { startStack, type Stack } from '../helpers/stack.js'

let stack: Stack
let gw: TestGateway
beforeAll(async () => {
  stack = await startStack()
  gw = stack.gw
})
afterAll(() => stack?.close())

const MARKER = 'query-marker-7f3a'

describe('regression: a user claim that cannot become a header value', () => {
  it.each([
    ['upn', 'a\ud800b@contoso.com'],
    ['smtp', 'a\udc00b@contoso.com'],
    ['sip', `sip:${'😀'.slice(0, 1)}@contoso.com`],
    ['nameid', 'x\ud83d'],
  ])('%s with a lone surrogate: one 401, one access line, connection closed as asked', async (claim, value) => {
    const before = gw.logs().length
    const token = stack.exchange.userToken({ [claim]: value, ...(claim === 'upn' ? {} : { upn: 'ok@contoso.com' }) })
    const host = new URL(gw.url).host
    const res = await rawHttp(gw.url, `GET /api/x?access_token=${MARKER} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`, 5000)
    expect(res.status).toBe(401)
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_token' })
    expect(stack.upstream.seen).toHaveLength(0)
    const lines = gw.logs().slice(before)
    const access = lines.filter((l) => l['msg'] === 'request')
    expect(access).toHaveLength(1)
    expect(access[0]).toMatchObject({ status: 401, outcome: 'rejected', code: 'GW_TOKEN_INVALID', reason: 'claim_value' })
    expect(gw.logText()).not.toContain(MARKER)
  })
})
