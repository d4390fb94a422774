// Regression: CONNECT got no answer at all. Node closes the socket when nobody listens for 'connect', so a client
// (or a proxy in front of us) could not tell a refusal from a crash, and nothing was logged. Now: our 400, a log
// line, the connection closed; nothing is tunnelled and the backend is never contacted.
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

describe('regression: CONNECT dropped without an answer', () => {
  it.each([
    ['an authority-form target (a tunnel to the backend port)', () => new URL(upstream.url).host],
    ['an origin-form target naming a public path', () => '/public/ping'],
  ])('CONNECT with %s is answered 400 and logged', async (_label, target) => {
    const res = await rawHttp(gw.url, `CONNECT ${target()} HTTP/1.1\r\nHost: ${target()}\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n`)
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toEqual({ error: 'bad_request', message: 'bad request' })
    expect(res.headers['connection']).toBe('close')
    expect(upstream.seen).toHaveLength(0)
    expect(gw.logs().some((l) => l['method'] === 'CONNECT' && l['problem'] === 'connect' && l['status'] === 400)).toBe(true)
  })
})
