// Regression: a proxied response told the client `Connection: keep-alive` and kept the socket open even when the
// client had sent `Connection: close`. The request's Connection header is stripped as hop-by-hop before
// forwarding, and http-proxy then fills in keep-alive for the response. Clients that asked to close held sockets
// until the keep-alive timeout (RFC 9112 §9.6: the server closes after responding to a request with `close`).
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EchoUpstream } from '../helpers/echo-upstream.js'
import type { TestGateway } from '../helpers/gateway.js'
import { startStack, type Stack } from '../helpers/stack.js'

let stack: Stack
let upstream: EchoUpstream
let gw: TestGateway
beforeAll(async () => {
  stack = await startStack(() => ({ publicPaths: ['/public/ping'] }))
  ;({ upstream, gw } = stack)
})
afterAll(() => stack?.close())

/** Send a request, collect the answer; `closedByServer` is false when our own safety timer had to end it. */
function exchange(connection: string): Promise<{ text: string; closedByServer: boolean }> {
  const url = new URL(gw.url)
  return new Promise((resolve, reject) => {
    let text = ''
    let closedByServer = true
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(`GET /public/ping HTTP/1.1\r\nHost: ${url.host}\r\nConnection: ${connection}\r\n\r\n`)
    })
    const safety = setTimeout(() => {
      closedByServer = false
      socket.destroy()
    }, 10_000)
    socket.on('data', (c: Buffer) => void (text += c.toString('utf8')))
    socket.on('close', () => {
      clearTimeout(safety)
      resolve({ text, closedByServer })
    })
    socket.on('error', reject)
  })
}

describe('regression: Connection: close ignored on proxied responses', () => {
  it('the response says close and the gateway closes the connection', async () => {
    const { text, closedByServer } = await exchange('close')
    expect(text.startsWith('HTTP/1.1 200')).toBe(true)
    expect(text.toLowerCase()).toContain('\r\nconnection: close\r\n')
    expect(closedByServer).toBe(true)
  })

  it('a keep-alive client still gets keep-alive', async () => {
    const res = await fetch(`${gw.url}/public/ping`)
    expect(res.headers.get('connection')).toBe('keep-alive')
    await res.arrayBuffer()
  })
})
