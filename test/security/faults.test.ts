// Fault injection (issue 5 §3), loopback only: the backend down, slow, resetting mid-response or answering garbage;
// partner metadata down at start-up or later; a metadata host whose name does not resolve (an injected lookup,
// never the machine's resolver); clock jumps (an injected clock). Each fault gets the prescribed answer, and once
// it is gone good requests succeed again without a restart. Outcomes are asserted, never durations.
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo, LookupFunction } from 'node:net'
import { afterEach, describe, expect } from 'vitest'
import { fetchMetadataDocument, type FetchDocument } from '../../src/partners/index.js'
import type { Partner } from '../../src/partners/types.js'
import { startEchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway } from '../helpers/gateway.js'
import { failingLookup, resolveToLoopback } from '../helpers/metadata-loopback.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { EXCHANGE_ID, makeTestPartner, REALM, type TestPartner } from '../helpers/tokens.js'
import { securityTally } from './report.js'
import { LYNC_ID, testClock, type TestClock } from './world.js'

const tally = securityTally('faults', import.meta.url)
const cleanups: Array<() => Promise<unknown> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const call = (gw: TestGateway, token: string, path = '/api/items'): Promise<Response> =>
  fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${token}` } })

/** Status of a call, body drained. */
async function statusOf(gw: TestGateway, token: string, path?: string): Promise<number> {
  const res = await call(gw, token, path)
  await res.arrayBuffer().catch(() => undefined)
  return res.status
}

/** A token valid at the gateway's (possibly jumped) clock. */
const tokenAt = (partner: TestPartner, clock: TestClock, claims: Record<string, unknown> = {}): string =>
  partner.actorToken({ nbf: clock.nowSec() - 60, exp: clock.nowSec() + 3600, ...claims })

const partnerOf = (gw: TestGateway, name: string): Partner =>
  gw.running.gateway.holder.current.registry.all().find((p) => p.name === name) as Partner

async function readyState(gw: TestGateway, name: string): Promise<{ state: string; lastFetch: { ok: boolean; error?: string } | null }> {
  const body = (await (await fetch(`${gw.adminUrl}/readyz`)).json()) as { partners: Array<{ name: string; state: string; lastFetch: { ok: boolean; error?: string } | null }> }
  const found = body.partners.find((p) => p.name === name)
  if (found === undefined) throw new Error(`no partner ${name} in /readyz`)
  return found
}

async function metric(gw: TestGateway, line: string): Promise<string | undefined> {
  const text = await (await fetch(`${gw.adminUrl}/metrics`)).text()
  return text.split('\n').find((l) => l.startsWith(line))
}

interface Setup {
  gw: TestGateway
  exchange: TestPartner
  meta: MetadataServer
  clock: TestClock
}

/** One Exchange partner (pinned) by metadata URL in front of `upstreamUrl`. */
async function setup(upstreamUrl: string, overrides: RawConfig = {}): Promise<Setup> {
  const exchange = await makeTestPartner()
  const meta = await startMetadataServer(exchange)
  const clock = testClock()
  const gw = await startTestGateway(upstreamUrl, {
    // Generous, so a busy machine never turns a good request into a 504; the slow-backend case sets its own.
    upstream: { url: upstreamUrl, timeoutMs: 10_000 },
    partners: [metadataPartner('exchange', meta.url, { applicationId: EXCHANGE_ID, realm: REALM })],
    ...overrides,
  }, { now: clock.now })
  cleanups.push(() => meta.close(), () => gw.close())
  await gw.running.gateway.warmUp()
  return { gw, exchange, meta, clock }
}

/** A plain backend on a fixed port (to bring "the same" backend back after it went down). */
async function plainBackend(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`fresh ${req.url}`))
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

describe('backend faults', () => {
  tally.fault('backend down: 502, then 200 once it is back on the same port, without a restart', async () => {
    const backend = await plainBackend()
    const { gw, exchange } = await setup(`http://127.0.0.1:${backend.port}`)
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
    await backend.close()
    const down = await call(gw, exchange.actorToken())
    expect(down.status).toBe(502)
    expect(await down.json()).toEqual({ error: 'bad_gateway', message: 'upstream unavailable' })
    const again = await plainBackend(backend.port)
    cleanups.push(() => again.close())
    const res = await call(gw, exchange.actorToken(), '/after')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('fresh /after')
  })

  tally.fault('backend slow: 504 after upstream.timeoutMs, and its late answer never reaches the next caller', async () => {
    const upstream = await startEchoUpstream()
    cleanups.push(() => upstream.close())
    const { gw, exchange } = await setup(upstream.url, { upstream: { url: upstream.url, timeoutMs: 1000 } })
    let lateWritten!: () => void
    const late = new Promise<void>((resolve) => (lateWritten = resolve))
    upstream.handler = (_req, res) => {
      upstream.handler = undefined
      // Answer only after the gateway gave up (its upstream socket closes on the timeout).
      res.socket?.once('close', () => {
        if (!res.destroyed) res.end('late')
        lateWritten()
      })
    }
    const slow = await call(gw, exchange.actorToken(), '/slow')
    expect(slow.status).toBe(504)
    expect(await slow.json()).toEqual({ error: 'gateway_timeout', message: 'upstream timed out' })
    await late
    const next = await call(gw, exchange.actorToken(), '/next')
    expect(next.status).toBe(200)
    expect(((await next.json()) as { url: string }).url).toBe('/next')
  })

  tally.fault('backend resets mid-response: the client sees a broken response, the next request succeeds', async () => {
    const upstream = await startEchoUpstream()
    cleanups.push(() => upstream.close())
    const { gw, exchange } = await setup(upstream.url)
    upstream.handler = (req, res) => {
      upstream.handler = undefined
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' })
      res.write('partial')
      setImmediate(() => req.socket.destroy())
    }
    const broken = await call(gw, exchange.actorToken(), '/reset')
    expect(broken.status).toBe(200)
    await expect(broken.text()).rejects.toThrow()
    expect(gw.running.gateway.holder.current.forwarder.socketCounts().active).toBe(0)
    expect(await statusOf(gw, exchange.actorToken(), '/after')).toBe(200)
  })

  tally.fault('backend answers with bytes that are not HTTP: 502, then 200 from a healthy backend', async () => {
    // resume(): read to the end, so the server notices when the gateway hangs up.
    const garbage = net.createServer((socket) => socket.resume().end('SSH-2.0-OpenSSH_9.2\r\n\r\n'))
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => garbage.close(() => resolve())))
    const { gw, exchange } = await setup(`http://127.0.0.1:${(garbage.address() as AddressInfo).port}`)
    expect(await statusOf(gw, exchange.actorToken())).toBe(502)
    const healthy = await plainBackend()
    cleanups.push(() => healthy.close())
    gw.reload({
      upstream: { url: `http://127.0.0.1:${healthy.port}`, timeoutMs: 10_000 },
      partners: [metadataPartner('exchange', gw.running.gateway.holder.current.config.partners[0]?.metadataUrl ?? '', { applicationId: EXCHANGE_ID, realm: REALM })],
    })
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
  })
})

describe('partner metadata faults', () => {
  tally.fault('metadata down at start-up: 503 for that partner only, others unaffected; it loads once the host is back', async () => {
    const upstream = await startEchoUpstream()
    const [exchange, lync] = await Promise.all([makeTestPartner(), makeTestPartner({ id: LYNC_ID })])
    const [exMeta, lyncMeta] = await Promise.all([startMetadataServer(exchange), startMetadataServer(lync)])
    lyncMeta.down = true
    const clock = testClock()
    const gw = await startTestGateway(upstream.url, {
      partners: [
        metadataPartner('exchange', exMeta.url),
        metadataPartner('lync', lyncMeta.url, { applicationId: LYNC_ID, realm: REALM, trustLevel: 'application' }),
      ],
    }, { now: clock.now })
    cleanups.push(() => upstream.close(), () => exMeta.close(), () => lyncMeta.close(), () => gw.close())
    await gw.running.gateway.warmUp()
    const refused = await call(gw, lync.actorToken())
    expect(refused.status).toBe(503)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
    expect((await readyState(gw, 'lync')).state).toBe('failed')
    lyncMeta.down = false
    clock.jump(61) // past the refetch cooldown: the next request may fetch again
    expect(await statusOf(gw, tokenAt(lync, clock))).toBe(200)
    expect(await statusOf(gw, tokenAt(exchange, clock))).toBe(200)
  })

  tally.fault('metadata down later: last-known-good keys serve, s2s_gateway_metadata_stale is 1, and 0 again after recovery', async () => {
    const upstream = await startEchoUpstream()
    cleanups.push(() => upstream.close())
    const { gw, exchange, meta } = await setup(upstream.url)
    expect(await metric(gw, 's2s_gateway_metadata_stale{partner="exchange"}')).toBe('s2s_gateway_metadata_stale{partner="exchange"} 0')
    meta.down = true
    expect(await partnerOf(gw, 'exchange').refreshNow()).toBe(false)
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
    expect((await readyState(gw, 'exchange')).state).toBe('stale')
    expect(await metric(gw, 's2s_gateway_metadata_stale{partner="exchange"}')).toBe('s2s_gateway_metadata_stale{partner="exchange"} 1')
    meta.down = false
    await partnerOf(gw, 'exchange').refreshNow()
    expect(await metric(gw, 's2s_gateway_metadata_stale{partner="exchange"}')).toBe('s2s_gateway_metadata_stale{partner="exchange"} 0')
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
  })

  tally.fault('metadata down past maxStaleSec: 503 once the last-known-good keys are too old, 200 once the host is back', async () => {
    const upstream = await startEchoUpstream()
    cleanups.push(() => upstream.close())
    const { gw, exchange, meta, clock } = await setup(upstream.url, { metadata: { maxStaleSec: 600, refetchCooldownSec: 60, timeoutMs: 5000 } })
    meta.down = true
    await partnerOf(gw, 'exchange').refreshNow()
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
    clock.jump(601)
    expect(await statusOf(gw, tokenAt(exchange, clock))).toBe(503)
    expect((await readyState(gw, 'exchange')).state).toBe('failed')
    meta.down = false
    clock.jump(61)
    expect(await statusOf(gw, tokenAt(exchange, clock))).toBe(200)
    expect((await readyState(gw, 'exchange')).state).toBe('ok')
  })

  tally.fault('a metadata host name that does not resolve (injected lookup): 503 for that partner, 200 once it resolves', async () => {
    const upstream = await startEchoUpstream()
    const [exchange, lync] = await Promise.all([makeTestPartner(), makeTestPartner({ id: LYNC_ID })])
    const [exMeta, lyncMeta] = await Promise.all([startMetadataServer(exchange), startMetadataServer(lync)])
    let lookup: LookupFunction = failingLookup
    const lookups: string[] = []
    // Every fetch goes through the injected resolver, so the machine's resolver is never asked.
    const fetchDocument: FetchDocument = (url, opts) =>
      fetchMetadataDocument(url, { ...opts, lookup: (host, o, cb) => (lookups.push(host), lookup(host, o, cb)) })
    const clock = testClock()
    const byName = new URL(lyncMeta.url)
    byName.hostname = 'localhost'
    const gw = await startTestGateway(upstream.url, {
      partners: [
        metadataPartner('exchange', exMeta.url),
        metadataPartner('lync', byName.href, { applicationId: LYNC_ID, realm: REALM, trustLevel: 'application' }),
      ],
    }, { now: clock.now, fetchDocument })
    cleanups.push(() => upstream.close(), () => exMeta.close(), () => lyncMeta.close(), () => gw.close())
    await gw.running.gateway.warmUp()
    expect(await statusOf(gw, lync.actorToken())).toBe(503)
    expect((await readyState(gw, 'lync')).lastFetch).toMatchObject({ ok: false, error: 'dns' })
    expect(lookups).toContain('localhost')
    expect(lyncMeta.fetches).toBe(0)
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
    lookup = resolveToLoopback
    clock.jump(61)
    expect(await statusOf(gw, tokenAt(lync, clock))).toBe(200)
    expect(lyncMeta.fetches).toBe(1)
  })

  tally.fault('DNS failing on a later refresh: the partner goes stale and keeps serving', async () => {
    const upstream = await startEchoUpstream()
    const exchange = await makeTestPartner()
    const meta = await startMetadataServer(exchange)
    let lookup: LookupFunction = resolveToLoopback
    const fetchDocument: FetchDocument = (url, opts) => fetchMetadataDocument(url, { ...opts, lookup: (h, o, cb) => lookup(h, o, cb) })
    const byName = new URL(meta.url)
    byName.hostname = 'localhost'
    const gw = await startTestGateway(upstream.url, { partners: [metadataPartner('exchange', byName.href)] }, { fetchDocument })
    cleanups.push(() => upstream.close(), () => meta.close(), () => gw.close())
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
    lookup = failingLookup
    expect(await partnerOf(gw, 'exchange').refreshNow()).toBe(false)
    expect(await readyState(gw, 'exchange')).toMatchObject({ state: 'stale', lastFetch: { ok: false, error: 'dns' } })
    expect(await statusOf(gw, exchange.actorToken({ jti: 'after-dns' }))).toBe(200)
  })
})

describe('clock jumps (injected clock)', () => {
  tally.fault('clock jumps forward 2 h: tokens (cached ones too) expire, tokens for the new time pass, keys stay', async () => {
    const upstream = await startEchoUpstream()
    cleanups.push(() => upstream.close())
    const { gw, exchange, meta, clock } = await setup(upstream.url)
    const cached = exchange.actorToken()
    expect(await statusOf(gw, cached)).toBe(200)
    const fetches = meta.fetches
    clock.jump(7200)
    expect(await statusOf(gw, cached)).toBe(401)
    expect(await statusOf(gw, tokenAt(exchange, clock))).toBe(200)
    expect(meta.fetches).toBe(fetches)
    clock.reset()
    expect(await statusOf(gw, exchange.actorToken({ jti: 'back' }))).toBe(200)
  })

  tally.fault('clock jumps back 2 h: current tokens are not yet valid, tokens for that time pass, real time recovers', async () => {
    const upstream = await startEchoUpstream()
    cleanups.push(() => upstream.close())
    const { gw, exchange, clock } = await setup(upstream.url)
    const current = exchange.actorToken()
    expect(await statusOf(gw, current)).toBe(200)
    clock.jump(-7200)
    expect(await statusOf(gw, exchange.actorToken({ jti: 'now' }))).toBe(401)
    expect(await statusOf(gw, tokenAt(exchange, clock))).toBe(200)
    expect((await readyState(gw, 'exchange')).state).toBe('ok')
    clock.reset()
    expect(await statusOf(gw, current)).toBe(200)
  })

  tally.fault('clock jumps forward 8 days (past maxStaleSec): keys are fetched again on demand, once', async () => {
    const upstream = await startEchoUpstream()
    cleanups.push(() => upstream.close())
    const { gw, exchange, meta, clock } = await setup(upstream.url)
    expect(await statusOf(gw, exchange.actorToken())).toBe(200)
    const fetches = meta.fetches
    clock.jump(8 * 86_400)
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => statusOf(gw, tokenAt(exchange, clock, { jti: i }))))
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 200))
    expect(meta.fetches - fetches).toBe(1)
  })
})
