// Regression: when the backend reset its connection after sending the response headers and part of the body, the
// client's response was left open forever. http-proxy pipes the backend response into ours, and a piped stream that
// errors does not end its destination; our error callback only hears of errors before the response started. The
// client hung until its own timeout and the connection stayed open. Now the client's response is cut off at once.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EchoUpstream } from '../helpers/echo-upstream.js'
import type { TestGateway } from '../helpers/gateway.js'
import { startStack, type Stack } from '../helpers/stack.js'

let stack: Stack
let upstream: EchoUpstream
let gw: TestGateway
beforeAll(async () => {
  stack = await startStack(() => ({ publicPaths: ['/public/reset', '/public/ok'] }))
  ;({ upstream, gw } = stack)
})
afterAll(() => stack?.close())

/** The raw answer to one request; `cutOff` is false when our own safety timer had to end the wait. */
function get(path: string): Promise<{ text: string; cutOff: boolean }> {
  const url = new URL(gw.url)
  return new Promise((resolve, reject) => {
    let text = ''
    let cutOff = true
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`))
    const safety = setTimeout(() => {
      cutOff = false
      socket.destroy()
    }, 10_000)
    socket.on('data', (c: Buffer) => void (text += c.toString('utf8')))
    socket.on('close', () => {
      clearTimeout(safety)
      resolve({ text, cutOff })
    })
    socket.on('error', reject)
  })
}

describe('regression: backend reset mid-response left the client hanging', () => {
  it('the client connection is closed as soon as the backend connection breaks, with only part of the body', async () => {
    upstream.handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' })
      res.write('partial')
      setImmediate(() => req.socket.destroy())
    }
    try {
      const { text, cutOff } = await get('/public/reset')
      expect(text.startsWith('HTTP/1.1 200')).toBe(true)
      expect(text.endsWith('partial')).toBe(true)
      expect(cutOff).toBe(true)
    } finally {
      upstream.handler = undefined
    }
    expect((await fetch(`${gw.url}/public/ok`)).status).toBe(200)
  })
})
