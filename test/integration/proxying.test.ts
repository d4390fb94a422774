// Integration: the forwarding step. Client aborts leave no sockets (http-proxy #1559), ambiguous paths are
// 400 before routing, upstream faults map to 502/504, bodies stream untouched, the metadata document.
import http from 'node:http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import type { MetadataServer } from '../helpers/metadata-server.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { rawGet, rawHttp } from '../helpers/raw-http.js'
import { REALM, SERVICE_ID, type TestPartner } from '../helpers/tokens.js'

let stack: Stack
let upstream: EchoUpstream
let exchange: TestPartner
let meta: MetadataServer
let gw: TestGateway

beforeAll(async () => {
  stack = await startStack(({ upstreamUrl }) => ({ publicPaths: ['/public/ping'], upstream: { url: upstreamUrl, timeoutMs: 400 } }))
  ;({ upstream, exchange, meta, gw } = stack)
})
afterAll(() => stack?.close())
beforeEach(() => {
  upstream.seen.length = 0
  upstream.handler = undefined
})

const auth = (): string => `Authorization: Bearer ${exchange.actorToken()}`

/** Wait for a condition, checking every 10 ms, failing after `limitMs` (an outcome check, not a timing one). */
async function eventually(check: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('client aborts (http-party/node-http-proxy#1559)', () => {
  // A stack of its own, whose upstream timeout (60 s) cannot close the backend requests within `eventually`'s
  // 10 s: only the gateway's reaction to each client going away can.
  let abortStack: Stack
  beforeAll(async () => {
    abortStack = await startStack(({ upstreamUrl }) => ({ upstream: { url: upstreamUrl, timeoutMs: 60_000 } }))
  })
  afterAll(() => abortStack?.close())

  it('1,000 aborts, mid-request and mid-response, leave no upstream sockets open', async () => {
    const { upstream, exchange, gw } = abortStack
    const token = exchange.actorToken()
    const pending: http.ServerResponse[] = []
    upstream.handler = (req, res) => {
      // half hang before answering, half send headers and part of a body, then hang
      if (req.url?.endsWith('mid-response')) res.writeHead(200, { 'content-type': 'text/plain' }).write('partial')
      pending.push(res)
    }
    const target = new URL(gw.url)
    for (let batch = 0; batch < 20; batch++) {
      const seenBefore = upstream.seen.length
      const clients = Array.from({ length: 50 }, (_, i) => {
        const req = http.request({ host: target.hostname, port: target.port, path: i % 2 === 0 ? '/slow' : '/mid-response', agent: false, headers: { authorization: `Bearer ${token}` } })
        req.on('error', () => {})
        req.on('response', (res) => res.on('error', () => {}).resume())
        req.end()
        return req
      })
      await eventually(() => upstream.seen.length === seenBefore + 50)
      for (const c of clients) c.destroy()
    }
    expect(upstream.seen).toHaveLength(1000)
    await eventually(() => upstream.openSockets() === 0 && gw.running.gateway.holder.current.forwarder.socketCounts().active === 0)
    expect(upstream.openSockets()).toBe(0)
    for (const res of pending) res.destroy()
    // and the gateway still serves
    upstream.handler = undefined
    expect((await fetch(`${gw.url}/after`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
  })
})

describe('ambiguous request targets: 400 before routing, backend untouched', () => {
  it.each([
    ['/api/%2Fadmin', 'encoded slash'],
    ['/api/%2fadmin', 'encoded slash, lower case'],
    ['/api/%5Cadmin', 'encoded backslash'],
    ['/api\\admin', 'backslash'],
    ['/api/../admin', 'dot-dot segment'],
    ['/api/./admin', 'dot segment'],
    ['/api/%2e%2e/admin', 'encoded dot-dot'],
    ['/api/%2E./admin', 'mixed encoded dot-dot'],
    ['/api//admin', 'empty segment'],
    ['/api/x#frag', 'fragment'],
    ['/api/%zz', 'bad percent-encoding'],
    ['/api/%00', 'encoded NUL'],
    ['http://evil.example/api', 'absolute-form target'],
    ['*', 'asterisk-form'],
  ])('%s (%s)', async (target) => {
    const res = await rawGet(gw.url, target, [auth()])
    expect(res.status).toBe(400)
    expect(upstream.seen).toHaveLength(0)
  })

  it('`;` is an ordinary character: forwarded unchanged, and the path forwarded is the path checked', async () => {
    const res = await rawGet(gw.url, '/api/items;jsessionid=1?q=%2F', [auth()])
    expect(res.status).toBe(200)
    expect(upstream.seen[0]?.url).toBe('/api/items;jsessionid=1?q=%2F')
  })

  it('two Authorization headers are an HTTP-level fault (400)', async () => {
    const res = await rawGet(gw.url, '/api', [auth(), auth()])
    expect(res.status).toBe(400)
    expect(upstream.seen).toHaveLength(0)
  })
})

describe('public paths and the metadata document', () => {
  it('only the exact raw public path skips authentication', async () => {
    expect((await rawGet(gw.url, '/public/ping')).status).toBe(200)
    for (const variant of ['/public/ping/', '/PUBLIC/ping', '/public/ping;x', '/public/pin%67', '/public/ping/../../api']) {
      const res = await rawGet(gw.url, variant)
      expect([400, 401], variant).toContain(res.status)
    }
    expect(upstream.seen).toHaveLength(1)
  })

  it('GET /metadata/json/1 is anonymous and in the Exchange shape; other spellings are authenticated', async () => {
    const res = await fetch(`${gw.url}/metadata/json/1`, { headers: { host: 'attacker.example' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const doc = (await res.json()) as Record<string, unknown>
    expect(Object.keys(doc).sort()).toEqual(['allowedAudiences', 'endpoints', 'id', 'issuer', 'keys', 'name', 'realm', 'serviceName', 'version'])
    expect(doc['issuer']).toBe(`${SERVICE_ID}@${REALM}`)
    expect(doc['keys']).toEqual([
      { usage: 'signing', keyinfo: { x5t: gw.issuerCert.x5t }, keyvalue: { type: 'x509Certificate', value: gw.issuerCert.der.toString('base64') } },
    ])
    expect(doc['endpoints']).toEqual([{ location: 'https://gw.contoso.com/metadata/json/1', protocol: 'OAuth2', usage: 'metadata' }])
    for (const variant of ['/METADATA/json/1', '/metadata/json/1/', '/Metadata/Json/1']) {
      expect((await fetch(`${gw.url}${variant}`)).status, variant).toBe(401)
    }
    expect(upstream.seen).toHaveLength(0)
  })
})

describe('upstream faults', () => {
  it('a slow backend gets 504 after upstream.timeoutMs, then the gateway serves again', async () => {
    upstream.handler = () => {} // never answers
    const res = await fetch(`${gw.url}/slow`, { headers: { authorization: `Bearer ${exchange.actorToken()}` } })
    expect(res.status).toBe(504)
    expect(await res.json()).toEqual({ error: 'gateway_timeout', message: 'upstream timed out' })
    upstream.handler = undefined
    expect((await fetch(`${gw.url}/ok`, { headers: { authorization: `Bearer ${exchange.actorToken()}` } })).status).toBe(200)
  })

  it('a backend that resets the connection gets 502', async () => {
    upstream.handler = (req) => req.socket.destroy()
    const res = await fetch(`${gw.url}/reset`, { headers: { authorization: `Bearer ${exchange.actorToken()}` } })
    expect(res.status).toBe(502)
  })

  it('a backend that is down gets 502', async () => {
    const down = await startTestGateway('http://127.0.0.1:9', { partners: [metadataPartner('exchange', meta.url)] })
    try {
      const res = await fetch(`${down.url}/x`, { headers: { authorization: `Bearer ${exchange.actorToken()}` } })
      expect(res.status).toBe(502)
      expect(await res.json()).toEqual({ error: 'bad_gateway', message: 'upstream unavailable' })
    } finally {
      await down.close()
    }
  })
})

describe('methods', () => {
  it.each(['PROPFIND', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT'])('WebDAV %s is authenticated, then proxied with its method', async (method) => {
    const host = new URL(gw.url).host
    const send = (extra: string[]): ReturnType<typeof rawHttp> =>
      rawHttp(gw.url, [`${method} /dav/file.txt HTTP/1.1`, `Host: ${host}`, 'Content-Length: 0', ...extra, 'Connection: close', '', ''].join('\r\n'))
    expect((await send([])).status).toBe(401)
    expect(upstream.seen).toHaveLength(0)
    expect((await send([auth()])).status).toBe(200)
    expect(upstream.seen[0]?.method).toBe(method)
  })
})

describe('bodies and upgrades', () => {
  it('streams a 5 MB request body to the backend untouched', async () => {
    // Its own stack with the default upstream.timeoutMs: this file's 400 ms (for the timeout tests) is an idle
    // bound that a loaded machine can exceed while 5 MB stream through.
    const own = await startStack()
    try {
      const body = Buffer.alloc(5 * 1024 * 1024, 'abcdefgh')
      const res = await fetch(`${own.gw.url}/upload`, { method: 'POST', body, headers: { authorization: `Bearer ${own.exchange.actorToken()}`, 'content-type': 'application/octet-stream' } })
      expect(res.status).toBe(200)
      expect(own.upstream.seen[0]?.body.length).toBe(body.length)
      expect(own.upstream.seen[0]?.body === body.toString('utf8')).toBe(true)
    } finally {
      await own.close()
    }
  })

  it('an upgrade request without a token is 401 and reaches nothing; with a valid token the handshake is relayed', async () => {
    const upgrade = ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']
    const host = new URL(gw.url).host
    const send = (extra: string[]): ReturnType<typeof rawHttp> => rawHttp(gw.url, ['GET /ws HTTP/1.1', `Host: ${host}`, ...upgrade, ...extra, '', ''].join('\r\n'))
    expect((await send([])).status).toBe(401)
    expect(upstream.seen).toHaveLength(0)
    // The echo backend answers the handshake as plain HTTP (no 101): that answer is relayed, no tunnel opens.
    expect((await send([auth()])).status).toBe(200)
    expect(upstream.seen.map((s) => [s.method, s.headers.upgrade, s.headers['x-s2s-partner']])).toEqual([['GET', 'websocket', 'exchange']])
  })
})
