// Regression: an authenticated request with a malformed Content-Type (`;;;`) was answered 500 internal error:
// fastify rejected the media type before our catch-all parser, and the error handler turned every foreign error
// into GW_INTERNAL. A client's malformed header is an HTTP-level fault: 400, never 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EchoUpstream } from '../helpers/echo-upstream.js'
import type { TestGateway } from '../helpers/gateway.js'
import { startStack, type Stack } from '../helpers/stack.js'
import type { MetadataServer } from '../helpers/metadata-server.js'
import { rawHttp } from '../helpers/raw-http.js'
import type { TestPartner } from '../helpers/tokens.js'

let stack: Stack
let upstream: EchoUpstream
let partner: TestPartner
let meta: MetadataServer
let gw: TestGateway
beforeAll(async () => {
  stack = await startStack()
  ;({ upstream, exchange: partner, meta, gw } = stack)
})
afterAll(() => stack?.close())

describe('regression: malformed Content-Type became a 500', () => {
  it.each([';;;', 'text/', '/json', 'a b/c'])('Content-Type "%s" with a valid token is a 400', async (type) => {
    upstream.seen.length = 0
    const host = new URL(gw.url).host
    const res = await rawHttp(gw.url, `POST /api HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${partner.actorToken()}\r\nContent-Type: ${type}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`)
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toEqual({ error: 'bad_request', message: 'bad request' })
    expect(upstream.seen).toHaveLength(0)
    expect(gw.logs().some((l) => l['code'] === 'GW_INTERNAL')).toBe(false)
  })
})
