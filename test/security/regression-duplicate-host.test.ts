// Regression: a request with two Host fields was proxied (Node keeps the first and drops the rest), so the gateway
// and anything behind it that reads the raw fields could disagree on the target host. RFC 9112 §3.2: answer 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EchoUpstream } from '../helpers/echo-upstream.js'
import type { TestGateway } from '../helpers/gateway.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { rawHttp } from '../helpers/raw-http.js'

let stack: Stack
let upstream: EchoUpstream
let gw: TestGateway
beforeAll(async () => {
  stack = await startStack(() => ({ publicPaths: ['/public/ping'] }))
  ;({ upstream, gw } = stack)
})
afterAll(() => stack?.close())

const request = (hosts: string[]): string => ['GET /public/ping HTTP/1.1', ...hosts.map((h) => `${h}: ${new URL(gw.url).host}`), 'Connection: close', '', ''].join('\r\n')

describe('regression: duplicate Host', () => {
  it.each([
    ['Host twice', ['Host', 'Host']],
    ['Host and host', ['Host', 'host']],
  ])('%s is a 400, and the backend sees nothing', async (_label, names) => {
    upstream.seen.length = 0
    const res = await rawHttp(gw.url, request(names))
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toEqual({ error: 'bad_request', message: 'bad request' })
    expect(upstream.seen).toHaveLength(0)
  })

  it('one Host is still fine', async () => {
    expect((await rawHttp(gw.url, request(['Host']))).status).toBe(200)
  })
})
