// Security suite, HTTP (issue 5 §1): request smuggling (Content-Length with Transfer-Encoding, duplicate or
// malformed lengths, bad chunking), bodies and pipelines of refused requests, Expect, upgrades (websocket, h2c)
// without and with a token, absolute-form and CONNECT, Host faults, methods and versions Node refuses itself.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { rawHttp, type RawResponse } from '../helpers/raw-http.js'
import { securityTally } from './report.js'
import { bearer, exchangeApp, expectRefused, expectStillServes, identitySeen, startWorld, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await startWorld()
})
afterAll(async () => {
  await w?.close()
})

const tally = securityTally('http', import.meta.url)
const auth = (): string => bearer(w.exchange.actorToken())
/** Send raw bytes; `lines` build the head (Host first), then `rest` (body, or nothing). */
const raw = (requestLine: string, lines: string[], rest = ''): Promise<RawResponse> =>
  rawHttp(w.gw.url, [requestLine, `Host: ${w.host}`, ...lines, '', ''].join('\r\n') + rest)
const nodeRefuses = (requestLine: string, lines: () => string[], rest = '') => () =>
  expectRefused(w, () => raw(requestLine, lines(), rest), 400, { foreign: true })

/** Everything the server sends on one connection until it closes. */
function converse(bytes: string): Promise<string> {
  const url = new URL(w.gw.url)
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(bytes))
    const timer = setTimeout(() => socket.destroy(), 3000)
    socket.on('data', (c: Buffer) => void (text += c.toString('utf8')))
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(text)
    })
    socket.on('error', reject)
  })
}

describe('request smuggling: Node refuses every ambiguous framing (400)', () => {
  tally.attack('http', 'Content-Length and Transfer-Encoding: chunked', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Content-Length: 4', 'Transfer-Encoding: chunked', 'Connection: close'], '0\r\n\r\n'))
  tally.attack('http', 'Transfer-Encoding: chunked then Content-Length', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Transfer-Encoding: chunked', 'Content-Length: 4', 'Connection: close'], '0\r\n\r\n'))
  tally.attack('http', 'two Content-Length fields that disagree', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Content-Length: 4', 'Content-Length: 5', 'Connection: close'], 'abcde'))
  tally.attack('http', 'two Content-Length fields that agree', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Content-Length: 4', 'Content-Length: 4', 'Connection: close'], 'abcd'))
  tally.attack('http', 'Content-Length as a list ("4, 4")', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Content-Length: 4, 4', 'Connection: close'], 'abcd'))
  tally.attack('http', 'negative Content-Length', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Content-Length: -1', 'Connection: close'], 'abcd'))
  tally.attack('http', 'Content-Length with a plus sign', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Content-Length: +4', 'Connection: close'], 'abcd'))
  tally.attack('http', 'Transfer-Encoding: chunked, identity', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Transfer-Encoding: chunked, identity', 'Connection: close'], '0\r\n\r\n'))
  tally.attack('http', 'Transfer-Encoding: xchunked', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Transfer-Encoding: xchunked', 'Connection: close'], '0\r\n\r\n'))
  tally.attack('http', 'Transfer-Encoding: chunked twice', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked', 'Connection: close'], '0\r\n\r\n'))
  tally.attack('http', 'whitespace before the colon of Transfer-Encoding', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Transfer-Encoding : chunked', 'Connection: close'], '0\r\n\r\n'))
  tally.attack('http', 'a chunk size that overflows', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Transfer-Encoding: chunked', 'Connection: close'], 'FFFFFFFFFFFFFFFFFFFF\r\nabcd\r\n0\r\n\r\n'))
  tally.attack('http', 'bare LF line ends in the chunked body', nodeRefuses('POST /api/items HTTP/1.1', () => [auth(), 'Transfer-Encoding: chunked', 'Connection: close'], '4\nabcd\n0\n\n'))
  tally.attack('http', 'bare LF line ends in the head', () =>
    expectRefused(w, rawHttp(w.gw.url, `GET /api/items HTTP/1.1\nHost: ${w.host}\n${auth()}\nConnection: close\n\n`), 400, { foreign: true }))
  tally.attack('http', 'a request smuggled in the body of a refused request is never parsed as a request', async () => {
    w.upstream.seen.length = 0
    const smuggled = `GET /api/smuggled HTTP/1.1\r\nHost: ${w.host}\r\n${auth()}\r\n\r\n`
    // A closing request follows on the same connection, so the exchange ends without waiting on a timer.
    const text = await converse(
      `POST /api/items HTTP/1.1\r\nHost: ${w.host}\r\nContent-Length: ${Buffer.byteLength(smuggled)}\r\n\r\n${smuggled}` +
        `GET /api/final HTTP/1.1\r\nHost: ${w.host}\r\n${auth()}\r\nConnection: close\r\n\r\n`,
    )
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 401', 'HTTP/1.1 200'])
    expect(w.upstream.seen.map((s) => s.url)).toEqual(['/api/final'])
    await expectStillServes(w)
  })
  // http-proxy 1.18's `deleteLength` pass sets Content-Length: 0 on a DELETE or OPTIONS without one and drops its
  // Transfer-Encoding, then still streams the body: the backend would parse the body as a request of its own.
  for (const [method, path, token] of [['DELETE', '/public/ping', false], ['OPTIONS', '/public/ping', false], ['DELETE', '/api/items', true], ['OPTIONS', '/api/items', true]] as const) {
    tally.attack('http', `a chunked ${method} body ${token ? 'with a token' : 'on a public path'} reaches the backend as its body, never as a request`, async () => {
      w.upstream.seen.length = 0
      const smuggled = `GET /admin/smuggled HTTP/1.1\r\nHost: backend\r\nX-S2S-Partner: exchange\r\nX-S2S-User-Upn: ceo@contoso.com\r\nContent-Length: 0\r\n\r\n`
      const chunked = `${Buffer.byteLength(smuggled).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`
      const text = await converse(`${method} ${path} HTTP/1.1\r\nHost: ${w.host}\r\n${token ? `${auth()}\r\n` : ''}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`)
      expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200'])
      expect(w.upstream.seen.map((s) => [s.method, s.url, s.body])).toEqual([[method, path, smuggled]])
      await expectStillServes(w)
      expect(w.upstream.seen.some((s) => s.url === '/admin/smuggled')).toBe(false)
    })
  }
  tally.attack('http', 'a refused request pipelined before a good one: each is judged on its own', async () => {
    w.upstream.seen.length = 0
    const text = await converse(
      `GET /api/first HTTP/1.1\r\nHost: ${w.host}\r\nX-S2S-Partner: hr-addin\r\n\r\n` +
        `GET /api/second HTTP/1.1\r\nHost: ${w.host}\r\n${auth()}\r\nConnection: close\r\n\r\n`,
    )
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 401', 'HTTP/1.1 200'])
    expect(w.upstream.seen.map((s) => s.url)).toEqual(['/api/second'])
    expect(identitySeen(w.upstream.seen[0])).toEqual(exchangeApp(w))
    await expectStillServes(w)
  })
})

describe('request line, Host and methods', () => {
  tally.attack('http', 'HTTP/1.1 without Host', () => expectRefused(w, rawHttp(w.gw.url, `GET /api/items HTTP/1.1\r\n${auth()}\r\nConnection: close\r\n\r\n`), 400, { foreign: true }))
  tally.attack('http', 'two Host fields (RFC 9112 §3.2)', () => expectRefused(w, raw('GET /api/items HTTP/1.1', ['Host: admin.internal', auth(), 'Connection: close']), 400))
  tally.attack('http', 'absolute-form target with a valid token', () => expectRefused(w, raw('GET http://admin.internal/api/items HTTP/1.1', [auth(), 'Connection: close']), 400))
  tally.attack('http', 'absolute-form target over HTTP/1.0', () => expectRefused(w, raw('GET http://admin.internal/public/ping HTTP/1.0', [auth()]), 400))
  tally.attack('http', 'an unknown method', nodeRefuses('FOO /api/items HTTP/1.1', () => [auth(), 'Connection: close']))
  tally.attack('http', 'a lower-case method', nodeRefuses('get /api/items HTTP/1.1', () => [auth(), 'Connection: close']))
  tally.attack('http', 'an unknown HTTP version (1.2)', nodeRefuses('GET /api/items HTTP/1.2', () => [auth(), 'Connection: close']))
  tally.attack('http', 'the HTTP/2 connection preface on an HTTP/1.1 listener', () => expectRefused(w, rawHttp(w.gw.url, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 400, { foreign: true }))
  tally.attack('http', 'a tab between method and target', nodeRefuses('GET\t/api/items HTTP/1.1', () => [auth(), 'Connection: close']))
  tally.attack('http', 'TRACE without a token', () => expectRefused(w, raw('TRACE /api/items HTTP/1.1', ['Connection: close']), 401, { missing: true }))
  tally.attack('http', 'a malformed Content-Type with a valid token: 400, never 500', () =>
    expectRefused(w, raw('POST /api/items HTTP/1.1', [auth(), 'Content-Type: ;;;', 'Content-Length: 2', 'Connection: close'], 'hi'), 400))
})

describe('CONNECT', () => {
  const connect = (target: string, lines: string[] = []) => rawHttp(w.gw.url, [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`, ...lines, '', ''].join('\r\n'))
  tally.attack('http', 'CONNECT to the backend port (a tunnel) is answered 400', () => expectRefused(w, connect(new URL(w.upstream.url).host), 400))
  tally.attack('http', 'CONNECT with a valid token is still 400 (nothing is tunnelled)', () => expectRefused(w, connect('127.0.0.1:22', [auth()]), 400))
  tally.attack('http', 'CONNECT with an origin-form target', () => expectRefused(w, connect('/api/items', [auth()]), 400))
})

describe('upgrades and Expect', () => {
  const websocket = ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']
  const h2c = ['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQAAP__']
  tally.attack('http', 'websocket upgrade without a token', () => expectRefused(w, raw('GET /api/ws HTTP/1.1', websocket), 401, { missing: true }))
  tally.attack('http', 'websocket upgrade with a rogue token', () => expectRefused(w, raw('GET /api/ws HTTP/1.1', [bearer(w.rogue.actorToken()), ...websocket]), 401, { reason: 'signature' }))
  tally.attack('http', 'websocket handshake with a valid token and spoofed identity headers: relayed with our identity headers only', async () => {
    w.upstream.seen.length = 0
    const res = await raw('GET /api/ws HTTP/1.1', [auth(), 'X-S2S-Partner: evil', 'x-s2s-user-upn: ceo@contoso.com', ...websocket])
    // The echo backend does not switch protocols: its plain answer comes back, and no tunnel is opened.
    expect(res.status).toBe(200)
    expect(w.upstream.seen.map((s) => [s.headers['x-s2s-partner'], s.headers['x-s2s-user-upn'], s.headers.upgrade])).toEqual([['exchange', undefined, 'websocket']])
    await expectStillServes(w)
  })
  tally.attack('http', 'h2c upgrade without a token (h2c smuggling)', () => expectRefused(w, raw('GET /api/items HTTP/1.1', h2c), 401, { missing: true }))
  tally.attack('http', 'h2c upgrade with a valid token: 501, nothing proxied', () => expectRefused(w, raw('GET /api/items HTTP/1.1', [auth(), ...h2c]), 501))
  tally.attack('http', 'upgrade on a public path without a token: the Upgrade header never reaches the backend', async () => {
    w.upstream.seen.length = 0
    const res = await raw('GET /public/ping HTTP/1.1', h2c)
    expect(res.status).toBe(200)
    expect(w.upstream.seen.map((s) => [s.headers.upgrade, s.headers['http2-settings']])).toEqual([[undefined, undefined]])
    await expectStillServes(w)
  })
  tally.attack('http', 'Expect: 100-continue without a token: 401 and no 100 Continue', async () => {
    const res = await expectRefused(w, raw('POST /api/items HTTP/1.1', ['Expect: 100-continue', 'Content-Length: 4']), 401, { missing: true })
    expect(res.raw.includes('100 Continue')).toBe(false)
  })
  tally.attack('http', 'Expect: 100-continue with a rogue token: 401 and no 100 Continue', async () => {
    const res = await expectRefused(w, raw('POST /api/items HTTP/1.1', [bearer(w.rogue.actorToken()), 'Expect: 100-continue', 'Content-Length: 4']), 401, { reason: 'signature' })
    expect(res.raw.includes('100 Continue')).toBe(false)
  })
  tally.attack('http', "an unknown expectation: Node's own 417", () => expectRefused(w, raw('GET /api/items HTTP/1.1', [auth(), 'Expect: 200-ok', 'Connection: close']), 417, { foreign: true }))
})
