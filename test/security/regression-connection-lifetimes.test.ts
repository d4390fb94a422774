// Regression (issue 17, hole 3): connections that never sent a byte were never closed (200 silent connections were
// all open after 100 s), a head trickled a byte at a time lived ~90 s, a paused body for ever, an idle keep-alive
// connection 72 s, and no listener had a connection cap. Now each phase has a bound (connections.*) and each
// listener a cap (listen.*.maxConnections), on the inbound, admin and outbound listeners alike. The bounds are set
// small here; the tests wait for the close (no timed assertion): without a bound they run into the test timeout.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openConn, type RawConn } from '../helpers/raw-conn.js'
import { rawGet } from '../helpers/raw-http.js'
import { startStack, type Stack } from '../helpers/stack.js'

const BOUNDS = { firstByteTimeoutMs: 300, headersTimeoutMs: 600, bodyIdleTimeoutMs: 600, keepAliveTimeoutMs: 400, rejectedBodyTimeoutMs: 600 }
const listen = (caps: { inbound?: number; admin?: number; outbound?: number } = {}) => ({
  inbound: { host: '127.0.0.1', port: 0, ...(caps.inbound === undefined ? {} : { maxConnections: caps.inbound }) },
  admin: { host: '127.0.0.1', port: 0, ...(caps.admin === undefined ? {} : { maxConnections: caps.admin }) },
  outbound: { host: '127.0.0.1', port: 0, ...(caps.outbound === undefined ? {} : { maxConnections: caps.outbound }) },
})

let stack: Stack
let capped: Stack
beforeAll(async () => {
  stack = await startStack(() => ({ connections: BOUNDS, listen: listen(), publicPaths: ['/public/upload'] }))
  capped = await startStack(() => ({ listen: listen({ inbound: 3, admin: 2, outbound: 2 }) }))
})
afterAll(async () => {
  await stack?.close()
  await capped?.close()
})

const urls = (s: Stack): Record<string, string> => ({ inbound: s.gw.url, admin: s.gw.adminUrl, outbound: s.gw.running.outboundUrl ?? '' })
const head = (s: Stack, lines: string[]): string => [...lines.slice(0, 1), `Host: ${new URL(s.gw.url).host}`, ...lines.slice(1), '', ''].join('\r\n')

describe('every phase of a connection is bounded', () => {
  it.each(['inbound', 'admin', 'outbound'])('%s: connections that never send a byte are closed', async (listener) => {
    const conns = await Promise.all(Array.from({ length: 5 }, () => openConn(urls(stack)[listener] ?? '')))
    await Promise.all(conns.map((c) => c.closed))
    expect(conns.map((c) => c.received())).toEqual(['', '', '', '', ''])
    expect(stack.gw.logs().some((l) => l['reason'] === 'first_byte' && l['listener'] === listener)).toBe(true)
  })

  it('a head trickled one header line at a time is cut', async () => {
    const c = await openConn(stack.gw.url)
    c.write(`GET /api/x HTTP/1.1\r\nHost: ${new URL(stack.gw.url).host}\r\n`)
    c.dribble('x-pad: 1\r\n', 100)
    await c.closed
    expect(c.response().status).not.toBe(200)
    expect(stack.upstream.seen).toHaveLength(0)
  })

  it('a body that stops arriving is cut; one that keeps flowing, however slowly, is not', async () => {
    const stalled = await openConn(stack.gw.url)
    stalled.write(head(stack, ['POST /public/upload HTTP/1.1', 'Content-Length: 100']) + 'x'.repeat(10))
    await stalled.closed
    expect(stalled.response().status).toBe(0)

    const slow = await openConn(stack.gw.url)
    slow.write(head(stack, ['POST /public/upload HTTP/1.1', 'Content-Length: 40', 'Connection: close']))
    let sent = 0
    const timer = setInterval(() => {
      if (sent < 40) slow.write('y'.repeat(4))
      sent += 4
    }, 150) // 10 pieces over 1.5 s: longer than bodyIdleTimeoutMs in all, never idle that long
    await slow.closed
    clearInterval(timer)
    expect(slow.response().status).toBe(200)
  })

  it('an idle keep-alive connection is closed after its answer', async () => {
    const c = await openConn(stack.gw.url)
    c.write(head(stack, ['GET /metadata/json/1 HTTP/1.1']))
    await c.closed
    expect(c.response().status).toBe(200)
    expect(c.response().headers['connection']).toBe('keep-alive')
  })
})

describe('each listener has a connection cap', () => {
  it.each([['inbound', 3], ['admin', 2], ['outbound', 2]] as const)('%s: past %i open connections a new one is closed unanswered', async (listener, cap) => {
    const url = urls(capped)[listener] ?? ''
    const held: RawConn[] = []
    for (let i = 0; i < cap; i++) held.push(await openConn(url))
    // Let the listener accept them all before the one over the cap.
    await vi.waitFor(async () => {
      const count = await new Promise<number>((r) => (listener === 'inbound' ? capped.gw.running.gateway.inbound.server : listener === 'admin' ? capped.gw.running.gateway.admin.server : capped.gw.running.gateway.outbound!).getConnections((_e, n) => r(n)))
      expect(count).toBe(cap)
    })
    const over = await rawGet(url, '/healthz')
    expect(over.status).toBe(0)
    held[0]?.socket.destroy()
    await vi.waitFor(async () => expect((await rawGet(url, '/healthz')).status).toBeGreaterThan(0), { timeout: 5000 })
    for (const c of held) c.socket.destroy()
    await vi.waitFor(() => expect(capped.gw.logs().some((l) => l['listener'] === listener && l['dropped'] !== undefined)).toBe(true), { timeout: 5000 })
  })
})
