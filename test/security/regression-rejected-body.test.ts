// Regression (issue 17, hole 4): after a 401 the gateway went on reading the refused body for as long as the client
// dribbled it (45 s and more), and drained a refused 100 MB body in full on a connection that stayed open. Now an
// unread body larger than connections.rejectedBodyMaxBytes (or chunked) gets `Connection: close` and the connection
// is closed once the answer is written; a small one is drained within connections.rejectedBodyTimeoutMs, so
// keep-alive clients keep their connection. Also: a Content-Length with leading zeros is refused (400).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openConn } from '../helpers/raw-conn.js'
import { rawHttp } from '../helpers/raw-http.js'
import { startStack, type Stack } from '../helpers/stack.js'

let stack: Stack
let host: string
beforeAll(async () => {
  stack = await startStack(() => ({ connections: { rejectedBodyMaxBytes: 4096, rejectedBodyTimeoutMs: 600 } }))
  host = new URL(stack.gw.url).host
})
afterAll(() => stack?.close())

const post = (lines: string[]): string => ['POST /api/upload HTTP/1.1', `Host: ${host}`, ...lines, '', ''].join('\r\n')

describe('a refused request body is read only up to a bound', () => {
  it('Content-Length 1000000 and no token: 401 with Connection: close, then closed while the client still sends', async () => {
    const c = await openConn(stack.gw.url)
    c.write(post(['Content-Length: 1000000']) + 'x'.repeat(10))
    c.dribble('x'.repeat(10), 100)
    await c.closed
    expect(c.response().status).toBe(401)
    expect(c.response().headers['connection']).toBe('close')
    expect(stack.upstream.seen).toHaveLength(0)
  })

  it('a chunked body (size unknown) is not drained either', async () => {
    const c = await openConn(stack.gw.url)
    c.write(post(['Transfer-Encoding: chunked']) + 'a\r\n0123456789\r\n')
    c.dribble('a\r\n0123456789\r\n', 100)
    await c.closed
    expect(c.response().status).toBe(401)
    expect(c.response().headers['connection']).toBe('close')
  })

  it('a small body trickled after the 401 is cut after rejectedBodyTimeoutMs', async () => {
    const c = await openConn(stack.gw.url)
    c.write(post(['Content-Length: 1000']) + 'x'.repeat(10))
    c.dribble('x'.repeat(10), 100) // 10 s for all of it: far past the bound
    await c.closed
    expect(c.response().status).toBe(401)
    expect(c.received().match(/HTTP\/1\.1 /g)).toHaveLength(1)
  })

  it('a small body sent whole is drained: the keep-alive connection serves the next request', async () => {
    const c = await openConn(stack.gw.url)
    c.write(post(['Content-Length: 20']) + 'z'.repeat(20))
    await vi.waitFor(() => expect(c.response().status).toBe(401))
    expect(c.response().headers['connection']).not.toBe('close')
    c.write(['GET /metadata/json/1 HTTP/1.1', `Host: ${host}`, 'Connection: close', '', ''].join('\r\n'))
    await c.closed
    expect(c.received().match(/HTTP\/1\.1 (\d+)/g)).toEqual(['HTTP/1.1 401', 'HTTP/1.1 200'])
  })
})

describe('Content-Length with leading zeros', () => {
  it('is refused with 400 rather than forwarded as written', async () => {
    const token = stack.exchange.actorToken()
    const res = await rawHttp(stack.gw.url, post([`Authorization: Bearer ${token}`, 'Content-Length: 010', 'Connection: close']) + '0123456789')
    expect(res.status).toBe(400)
    expect(stack.upstream.seen).toHaveLength(0)
    const ok = await rawHttp(stack.gw.url, post([`Authorization: Bearer ${token}`, 'Content-Length: 10', 'Connection: close']) + '0123456789')
    expect(ok.status).toBe(200)
    expect(stack.upstream.seen.at(-1)?.headers['content-length']).toBe('10')
  })
})
