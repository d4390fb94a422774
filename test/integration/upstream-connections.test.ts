// Integration: the gateway's connections to the backend and to partners. An idle keep-alive one is closed before the
// server would close it (upstream.idleTimeoutMs, or the server's `Keep-Alive: timeout=N` less a second), and a safe
// request without a body that meets a reused connection's reset before any answer is sent once more on a new
// connection; anything else still gets its 502. The server is a raw TCP one (TLS over it for an https partner), so
// the test decides exactly when it resets and sees exactly who closes a connection. A request waiting for a free
// connection waits its timeout at most.
import http from 'node:http'
import net from 'node:net'
import tls from 'node:tls'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { createSelfSignedCertificate } from '../../src/certs/create.js'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'
import { startStack } from '../helpers/stack.js'
import { until } from '../helpers/until.js'

interface Conn {
  requests: string[]
  /** The gateway closed its side (FIN) while the backend still held the connection open. */
  closedByGateway: boolean
  closed: boolean
}

interface RawBackend {
  url: string
  conns: Conn[]
  close(): Promise<void>
}

/**
 * Answers 200 with `extraHead` (e.g. a Keep-Alive hint) and never closes a connection itself, except that it
 * resets the connection when `resetOn(conn, index)` says so for the request just read (index 0: its first one).
 * With `tls`, the same over TLS (the reset is the TCP connection's), at https://localhost.
 */
async function startRawBackend(opts: { extraHead?: string; resetOn?: (index: number) => boolean; answerAfterMs?: number; tls?: { certPem: string; keyPem: string } } = {}): Promise<RawBackend> {
  const conns: Conn[] = []
  const sockets = new Set<net.Socket>()
  const secureContext = opts.tls === undefined ? undefined : tls.createSecureContext({ cert: opts.tls.certPem, key: opts.tls.keyPem })
  const server = net.createServer({ allowHalfOpen: true }, (tcp) => {
    const socket = secureContext === undefined ? tcp : new tls.TLSSocket(tcp, { isServer: true, secureContext })
    if (socket !== tcp) sockets.add(tcp)
    const conn: Conn = { requests: [], closedByGateway: false, closed: false }
    conns.push(conn)
    sockets.add(socket)
    let buffered = ''
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1')
      let end: number
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
        const head = buffered.slice(0, end)
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        if (buffered.length < end + 4 + length) return
        buffered = buffered.slice(end + 4 + length)
        const index = conn.requests.push(head.split('\r\n')[0] ?? '') - 1
        if (opts.resetOn?.(index) === true) {
          tcp.resetAndDestroy()
          return
        }
        const answer = (): void => {
          socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n${opts.extraHead ?? ''}\r\nok`)
        }
        if (opts.answerAfterMs === undefined) answer()
        else setTimeout(answer, opts.answerAfterMs)
      }
    })
    socket.on('end', () => {
      conn.closedByGateway = !conn.closed
      socket.end()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      conn.closed = true
      sockets.delete(socket)
    })
  })
  // The certificate names localhost (no IP address): a TLS server listens where that name resolves.
  await new Promise<void>((resolve) => server.listen(0, secureContext === undefined ? '127.0.0.1' : 'localhost', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    url: secureContext === undefined ? `http://127.0.0.1:${port}` : `https://localhost:${port}`,
    conns,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    }),
  }
}

let backend: RawBackend | undefined
let gw: TestGateway | undefined
let meta: MetadataServer | undefined
let exchange: TestPartner

afterEach(async () => {
  await gw?.close()
  await meta?.close()
  await backend?.close()
  gw = meta = backend = undefined
})

async function start(backendOpts: Parameters<typeof startRawBackend>[0], upstream: RawConfig = {}): Promise<void> {
  backend = await startRawBackend(backendOpts)
  exchange = await makeTestPartner()
  meta = await startMetadataServer(exchange)
  gw = await startTestGateway(backend.url, { partners: [metadataPartner('exchange', meta.url)], upstream: { url: backend.url, timeoutMs: 5000, ...upstream } })
}

async function call(path: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(`${gw?.url}${path}`, { ...init, headers: { authorization: `Bearer ${exchange.actorToken()}` } })
  await res.arrayBuffer()
  return res.status
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${gw?.adminUrl}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `))
  return Number(line?.split(' ')[1] ?? NaN)
}

/**
 * Not safe (RFC 9110 §9.2.1), or a body to replay: the server may have acted on it, so the caller decides. Method
 * and body of requests that keep their 502, toward the backend and toward a partner alike.
 */
const NOT_RESENT: [string, string | undefined][] = [
  ['POST', 'pay 10'],
  ['DELETE', undefined],
  ['OPTIONS', 'a body'],
]

describe('a reused connection reset before any answer', () => {
  // Every connection's second request is reset: what a backend closing an idle connection as we reuse it looks like.
  const secondReset = { resetOn: (index: number) => index === 1 }

  it('a GET is sent once more on a new connection and answered 200', async () => {
    await start(secondReset)
    expect(await call('/first')).toBe(200)
    expect(await call('/second')).toBe(200)
    const conns = backend?.conns ?? []
    expect(conns.map((c) => c.requests.map((r) => r.split(' ')[1]))).toEqual([['/first', '/second'], ['/second']])
    expect(await metric('s2s_gateway_upstream_retries_total')).toBe(1)
    expect((await metric('s2s_gateway_upstream_errors_total', '{kind="reset"}')) || 0).toBe(0) // no failure counted
    const line = (path: string): Record<string, unknown> | undefined => gw?.logs().find((l) => l['msg'] === 'request' && l['path'] === path)
    await until(() => line('/second') !== undefined, 'the access line of the resent request')
    expect(line('/second')).toMatchObject({ status: 200, outcome: 'ok', retried: true })
    expect(line('/first')).not.toHaveProperty('retried')
  })

  it.each(NOT_RESENT)('a %s (body: %s) is not sent again: 502', async (method, body) => {
    await start(secondReset)
    expect(await call('/first')).toBe(200)
    expect(await call('/order', body === undefined ? { method } : { method, body })).toBe(502)
    expect((backend?.conns ?? []).flatMap((c) => c.requests)).toEqual(['GET /first HTTP/1.1', `${method} /order HTTP/1.1`])
    expect(await metric('s2s_gateway_upstream_retries_total')).toBe(0)
    expect(await metric('s2s_gateway_upstream_errors_total', '{kind="reset"}')).toBe(1)
  })

  it('a GET whose new connection is reset as well gets 502, after one retry only', async () => {
    await start({ resetOn: (index) => index >= 1 || (backend?.conns.length ?? 0) > 1 })
    expect(await call('/first')).toBe(200)
    expect(await call('/again')).toBe(502)
    expect((backend?.conns ?? []).map((c) => c.requests.length)).toEqual([2, 1])
    await until(() => gw?.logs().some((l) => l['msg'] === 'request' && l['path'] === '/again') === true, 'the access line')
    expect(gw?.logs().find((l) => l['msg'] === 'request' && l['path'] === '/again')).toMatchObject({ status: 502, upstreamError: 'reset', retried: true })
    expect(await metric('s2s_gateway_upstream_retries_total')).toBe(1)
  })

  it('a GET reset on a connection of its own (not reused) is not sent again: 502', async () => {
    await start({ resetOn: () => true })
    expect(await call('/first')).toBe(502)
    expect((backend?.conns ?? []).map((c) => c.requests.length)).toEqual([1])
    expect(await metric('s2s_gateway_upstream_retries_total')).toBe(0)
  })
})

describe('idle connections to the backend', () => {
  it("are closed by the gateway a second before the backend's Keep-Alive: timeout=N", async () => {
    await start({ extraHead: 'Keep-Alive: timeout=2\r\n' }, { idleTimeoutMs: 60_000 })
    expect(await call('/a')).toBe(200)
    await until(() => backend?.conns[0]?.closedByGateway === true, 'the gateway closing its idle connection')
    expect(await call('/b')).toBe(200)
    expect(backend?.conns.map((c) => c.requests.length)).toEqual([1, 1])
  })

  it('are closed after upstream.idleTimeoutMs when the backend gives no hint', async () => {
    await start({}, { idleTimeoutMs: 500 })
    expect(await call('/a')).toBe(200)
    await until(() => backend?.conns[0]?.closedByGateway === true, 'the gateway closing its idle connection')
  })

  it('are not kept at all when the backend hints a second or less', async () => {
    await start({ extraHead: 'Keep-Alive: timeout=1\r\n' }, { idleTimeoutMs: 60_000 })
    expect(await call('/a')).toBe(200)
    await until(() => backend?.conns[0]?.closedByGateway === true, 'the gateway closing the connection after its answer')
    expect(await call('/b')).toBe(200)
    expect(backend?.conns.length).toBe(2)
  })

  it('are reused while younger than the limit, and a busy connection is never cut by it', async () => {
    // The answer takes longer than the idle limit: only idle connections are swept.
    await start({ answerAfterMs: 1_200 }, { idleTimeoutMs: 1_000 })
    expect(await call('/slow')).toBe(200)
    expect(await call('/slow-again')).toBe(200)
    expect(backend?.conns.map((c) => c.requests.length)).toEqual([2])
    expect(backend?.conns[0]?.closedByGateway).toBe(false)
  })
})

describe("idle connections to a partner (the outbound listener's agents)", () => {
  async function startOutbound(extraHead: string | undefined, idleTimeoutMs: number): Promise<string> {
    backend = await startRawBackend(extraHead === undefined ? {} : { extraHead })
    exchange = await makeTestPartner()
    meta = await startMetadataServer(exchange)
    gw = await startTestGateway(backend.url, {
      listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, outbound: { host: '127.0.0.1', port: 0 } },
      outbound: { idleTimeoutMs },
      partners: [{ name: 'partner', metadataUrl: meta.url, allowHttp: true, trustLevel: 'full', outbound: { url: backend.url } }],
    })
    return gw.running.outboundUrl ?? ''
  }

  it("are closed a second before the partner's Keep-Alive: timeout=N", async () => {
    const out = await startOutbound('Keep-Alive: timeout=2\r\n', 60_000)
    expect((await fetch(`${out}/partner/api`)).status).toBe(200)
    await until(() => backend?.conns[0]?.closedByGateway === true, 'the gateway closing its idle connection to the partner')
  })

  it('are closed after outbound.idleTimeoutMs when the partner gives no hint', async () => {
    const out = await startOutbound(undefined, 500)
    expect((await fetch(`${out}/partner/api`)).status).toBe(200)
    await until(() => backend?.conns[0]?.closedByGateway === true, 'the gateway closing its idle connection to the partner')
  })
})

describe("a partner's reused connection reset before any answer (the outbound listener)", () => {
  // Every connection's second request is reset, as in the backend's case above.
  const secondReset = (index: number): boolean => index === 1

  async function startPartner(opts: { https?: boolean } = {}): Promise<string> {
    let caFile: string | undefined
    let certificate: { certPem: string; keyPem: string } | undefined
    if (opts.https === true) {
      certificate = await createSelfSignedCertificate({ subject: 'CN=localhost' })
      const dir = mkdtempSync(join(tmpdir(), 's2s-partner-ca-'))
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
      caFile = join(dir, 'partner-ca.pem')
      writeFileSync(caFile, certificate.certPem)
    }
    backend = await startRawBackend({ resetOn: secondReset, ...(certificate === undefined ? {} : { tls: certificate }) })
    exchange = await makeTestPartner()
    meta = await startMetadataServer(exchange)
    gw = await startTestGateway(backend.url, {
      listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, outbound: { host: '127.0.0.1', port: 0 } },
      partners: [{ name: 'partner', metadataUrl: meta.url, allowHttp: true, trustLevel: 'full', outbound: { url: backend.url, ...(caFile === undefined ? {} : { caFile }) } }],
    })
    return gw.running.outboundUrl ?? ''
  }

  const callLine = (path: string): Record<string, unknown> | undefined => gw?.logs().find((l) => l['msg'] === 'outbound call' && l['path'] === path)

  it.each([['http', false], ['https, the partner\'s outbound.caFile kept', true]])('a GET is sent once more on a new connection and answered 200 (%s)', async (_name, https) => {
    const out = await startPartner({ https })
    expect((await fetch(`${out}/partner/first`)).status).toBe(200)
    expect((await fetch(`${out}/partner/second`)).status).toBe(200)
    expect((backend?.conns ?? []).map((c) => c.requests.map((r) => r.split(' ')[1]))).toEqual([['/first', '/second'], ['/second']])
    expect(await metric('s2s_gateway_outbound_resends_total', '{partner="partner"}')).toBe(1)
    await until(() => callLine('/partner/second') !== undefined, 'the line of the resent call')
    expect(callLine('/partner/second')).toMatchObject({ status: 200, outcome: 'ok', resent: true })
    expect(callLine('/partner/first')).not.toHaveProperty('resent')
  })

  it.each(NOT_RESENT)('a %s (body: %s) is not sent again: 502', async (method, body) => {
    const out = await startPartner()
    expect((await fetch(`${out}/partner/first`)).status).toBe(200)
    expect((await fetch(`${out}/partner/order`, body === undefined ? { method } : { method, body })).status).toBe(502)
    expect((backend?.conns ?? []).flatMap((c) => c.requests)).toHaveLength(2)
    expect(await metric('s2s_gateway_outbound_resends_total', '{partner="partner"}')).toBeNaN() // never counted: no series
    await until(() => callLine('/partner/order') !== undefined, 'the line of the failed call')
    expect(callLine('/partner/order')).toMatchObject({ status: 502, code: 'GW_OUTBOUND_UNREACHABLE', fault: 'reset' })
  })
})

/** 200, then a byte every 200 ms for 3 s: the connection stays busy, and never idle for a 1 s timeout. */
function trickle(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' })
  let sent = 0
  const tick = setInterval(() => {
    res.write('.')
    if (++sent === 15) {
      clearInterval(tick)
      res.end()
    }
  }, 200)
}

describe('a request waiting for a free connection to the backend', () => {
  it('gets 504 after upstream.timeoutMs and never reaches the backend; the request holding the connection is unaffected', async () => {
    // One connection; the first request keeps it busy for 3 s, sending a byte every 200 ms (never idle for the
    // 1 s timeout). Without a bound on the wait, the second would be sent once the first ends, and answered 200.
    const stack = await startStack(({ upstreamUrl }) => ({ upstream: { url: upstreamUrl, timeoutMs: 1_000, maxSockets: 1, maxIdleSockets: 1 } }))
    try {
      stack.upstream.handler = (_req, res) => trickle(res)
      const get = async (path: string): Promise<[number, string]> => {
        const res = await fetch(`${stack.gw.url}${path}`, { headers: { authorization: `Bearer ${stack.exchange.actorToken()}` } })
        return [res.status, await res.text()]
      }
      const holding = get('/holding')
      await until(() => stack.upstream.seen.length === 1, 'the first request reaching the backend')
      const [status, body] = await get('/waiting')
      expect(status).toBe(504)
      expect(JSON.parse(body)).toEqual({ error: 'gateway_timeout', message: 'upstream timed out' })
      expect(await holding).toEqual([200, '.'.repeat(15)])
      expect(stack.upstream.seen.map((r) => r.url)).toEqual(['/holding'])
      const logged = stack.gw.logs().find((l) => l['path'] === '/waiting' && l['msg'] === 'request')
      expect(logged).toMatchObject({ status: 504, code: 'GW_UPSTREAM_TIMEOUT', upstreamError: 'timeout', reason: 'no_free_connection' })
      // The connection is the pool's again: the next request is served.
      stack.upstream.handler = undefined
      expect((await get('/after'))[0]).toBe(200)
    } finally {
      await stack.close()
    }
  })
})

describe('a call waiting for a free connection to a partner', () => {
  it('gets 504 after its timeoutMs and never reaches the partner; the call holding the connection is unaffected', async () => {
    // The partner answers the first call at once but trickles its body for 3 s (a byte every 200 ms), so the one
    // connection (outbound.maxSocketsPerPartner: 1) stays busy and never idle for the partner's 1 s timeout.
    const seen: string[] = []
    const partnerServer = http.createServer((req, res) => {
      seen.push(req.url ?? '')
      trickle(res)
    })
    await new Promise<void>((resolve) => partnerServer.listen(0, '127.0.0.1', resolve))
    const partnerUrl = `http://127.0.0.1:${(partnerServer.address() as net.AddressInfo).port}`
    exchange = await makeTestPartner()
    meta = await startMetadataServer(exchange)
    try {
      gw = await startTestGateway(partnerUrl, {
        listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, outbound: { host: '127.0.0.1', port: 0 } },
        outbound: { maxSocketsPerPartner: 1, maxIdleSocketsPerPartner: 1 },
        partners: [{ name: 'partner', metadataUrl: meta.url, allowHttp: true, trustLevel: 'full', outbound: { url: partnerUrl, timeoutMs: 1_000 } }],
      })
      const out = gw.running.outboundUrl ?? ''
      const get = async (path: string): Promise<[number, string]> => {
        const res = await fetch(`${out}/partner${path}`)
        return [res.status, await res.text()]
      }
      const holding = get('/holding')
      await until(() => seen.length === 1, 'the first call reaching the partner')
      const [status, body] = await get('/waiting')
      expect(status).toBe(504)
      expect(JSON.parse(body)).toMatchObject({ error: 'gateway_timeout' })
      expect(await holding).toEqual([200, '.'.repeat(15)])
      expect(seen).toEqual(['/holding'])
      const logged = gw.logs().find((l) => l['path'] === '/partner/waiting' && l['msg'] === 'outbound call')
      expect(logged).toMatchObject({ status: 504, code: 'GW_OUTBOUND_TIMEOUT', fault: 'timeout', reason: 'no_free_connection' })
    } finally {
      partnerServer.closeAllConnections()
      await new Promise((resolve) => partnerServer.close(resolve))
    }
  })
})
