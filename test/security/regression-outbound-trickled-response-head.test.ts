// Regression: outbound.timeoutMs ("how long to wait for its response headers before answering 504") was only a
// socket-inactivity timer, so a partner that sent its status line and then one header byte every few milliseconds
// (a slow-loris answer) held the backend's call, the partner socket and the pending token exchange until Node's
// 16 KiB header limit ran out (minutes), never answering 504. Now the whole response head must arrive within
// timeoutMs once the request is sent; a partner that answers promptly is unaffected.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { call, listenWithOutbound, outboundPartner } from '../integration/outbound-call.js'

let stack: Stack
beforeAll(async () => {
  // The partner is the stack's echo server; the deadline is far below what the trickle would take.
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', metadataUrl, upstreamUrl, { timeoutMs: 300 })] }))
})
afterAll(() => stack?.close())

describe('regression: a trickled response head outlived outbound.timeoutMs', () => {
  it('a partner trickling its header bytes gets 504 GW_OUTBOUND_TIMEOUT, and the next call works', async () => {
    stack.upstream.handler = (_req: IncomingMessage, res: ServerResponse) => {
      const socket = res.socket
      if (socket === null) return
      socket.write('HTTP/1.1 200 OK\r\nX-Slow: ')
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('a')), 20)
      socket.once('close', () => clearInterval(timer))
    }
    const res = await call(stack.gw.running.outboundUrl ?? '', '/exchange/slow')
    stack.upstream.handler = undefined
    expect(res.status).toBe(504)
    expect(res.json).toEqual({ error: 'gateway_timeout', message: 'partner timed out', code: 'GW_OUTBOUND_TIMEOUT', partner: 'exchange', fault: 'timeout' })
    const next = await call(stack.gw.running.outboundUrl ?? '', '/exchange/fine')
    expect(next.status).toBe(200)
  })
})
