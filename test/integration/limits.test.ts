// Integration: per-partner limits (issue 14 §1) through real HTTP: a burst over `burst` gets 429 with Retry-After
// and the RateLimit fields while another partner is unaffected, the in-flight cap with a slow backend, the
// counters and metric, unauthenticated requests never counted, and a reload changing the limits.
import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway } from '../helpers/gateway.js'
import { exchangeDocument, startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'

const LYNC_ID = '00000004-0000-0ff1-ce00-000000000000'
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface World {
  upstream: EchoUpstream
  exchange: TestPartner
  exMeta: MetadataServer
  lync: TestPartner
  gw: TestGateway
  partners(exchangeLimits?: RawConfig): RawConfig[]
}

/** The limiter's clock stands still unless a test moves it: buckets refill only when a test says so. */
const limiterClock = { ms: 1_000_000 }

async function world(exchangeLimits: RawConfig | undefined, config: RawConfig = {}): Promise<World> {
  const upstream = await startEchoUpstream()
  const [exchange, lync] = await Promise.all([makeTestPartner(), makeTestPartner({ id: LYNC_ID })])
  const [exMeta, lyncMeta] = await Promise.all([startMetadataServer(exchange), startMetadataServer(lync)])
  const partners = (limits?: RawConfig): RawConfig[] => [
    metadataPartner('exchange', exMeta.url, limits === undefined ? {} : { limits }),
    metadataPartner('lync', lyncMeta.url),
  ]
  const gw = await startTestGateway(upstream.url, { partners: partners(exchangeLimits), ...config }, { limitsNow: () => limiterClock.ms })
  cleanups.push(() => upstream.close(), () => exMeta.close(), () => lyncMeta.close(), () => gw.close())
  return { upstream, exchange, exMeta, lync, gw, partners }
}

const call = (gw: TestGateway, token?: string): Promise<Response> =>
  fetch(`${gw.url}/api/items`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })

async function statuses(gw: TestGateway, token: string, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await call(gw, token)).status)
  return out
}

describe('rate limits', () => {
  it('a burst over `burst` gets 429 with the headers; another partner is unaffected; the backend never sees it', async () => {
    const w = await world({ ratePerSec: 1, burst: 3 })
    const token = w.exchange.actorToken()
    expect(await statuses(w.gw, token, 3)).toEqual([200, 200, 200])
    const refused = await call(w.gw, token)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(refused.headers.get('ratelimit-policy')).toBe('"partner";q=3;w=3')
    expect(refused.headers.get('ratelimit')).toMatch(/^"partner";r=0;t=[1-9]\d*$/)
    expect(await refused.json()).toEqual({ error: 'rate_limited', message: 'too many requests, retry later' })
    expect(w.upstream.seen).toHaveLength(3)
    expect(await statuses(w.gw, w.lync.actorToken(), 6)).toEqual([200, 200, 200, 200, 200, 200])

    const line = w.gw.logs().find((l) => l['msg'] === 'request' && l['status'] === 429)
    expect(line).toMatchObject({ partner: 'exchange', outcome: 'limited', code: 'GW_RATE_LIMITED', reason: 'rate' })
    const metrics = await (await fetch(`${w.gw.adminUrl}/metrics`)).text()
    expect(metrics).toContain('s2s_gateway_rate_limited_total{partner="exchange",limit="rate"} 1')
    expect(metrics).toMatch(/s2s_gateway_requests_total\{listener="inbound",partner="exchange",auth_type="app",outcome="limited"\} 1\n/)
    expect(metrics).not.toContain('s2s_gateway_rate_limited_total{partner="lync"')

    limiterClock.ms += 1_000 // one token refills
    expect(await statuses(w.gw, token, 2)).toEqual([200, 429])
  })

  it('unauthenticated requests are never counted against a partner', async () => {
    const w = await world({ ratePerSec: 1, burst: 1 })
    for (let i = 0; i < 5; i++) expect((await call(w.gw)).status).toBe(401)
    expect((await call(w.gw, w.exchange.actorToken())).status).toBe(200)
  })

  it('top-level limits apply to every partner, a partner key overrides them', async () => {
    const w = await world({ burst: 4 }, { limits: { ratePerSec: 1, burst: 2 } })
    expect(await statuses(w.gw, w.lync.actorToken(), 3)).toEqual([200, 200, 429])
    expect(await statuses(w.gw, w.exchange.actorToken(), 5)).toEqual([200, 200, 200, 200, 429])
  })

  it('a reload changes the limits for the next request', async () => {
    const w = await world({ ratePerSec: 1, burst: 1 })
    const token = w.exchange.actorToken()
    expect(await statuses(w.gw, token, 2)).toEqual([200, 429])
    w.gw.reload({ partners: w.partners() })
    expect(await statuses(w.gw, token, 3)).toEqual([200, 200, 200])
    w.gw.reload({ partners: w.partners({ ratePerSec: 1, burst: 1 }) })
    // the bucket was kept through the reloads (empty), so the tightened limit bites at once
    expect((await call(w.gw, token)).status).toBe(429)
  })
})

describe('concurrency limits', () => {
  it('caps the requests in flight to the backend; a slot frees when a response ends; status shows both', async () => {
    const w = await world({ maxConcurrent: 2 })
    const held: ServerResponse[] = []
    // Exchange's requests are held at the backend until released; lync's are answered at once.
    w.upstream.handler = (req, res) => {
      if (req.headers['x-s2s-partner'] === 'exchange') held.push(res)
      else res.writeHead(200).end('{}')
    }
    const token = w.exchange.actorToken()
    const slow = [call(w.gw, token), call(w.gw, token)]
    await until(() => held.length === 2, 'two requests at the backend')
    const third = await call(w.gw, token)
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('1')
    const status = (await (await fetch(`${w.gw.adminUrl}/status.json`)).json()) as { partners: Array<Record<string, unknown>> }
    expect(status.partners.find((p) => p['name'] === 'exchange')).toMatchObject({ limits: { ratePerSec: null, burst: null, maxConcurrent: 2 }, inFlight: 2 })
    expect(status.partners.find((p) => p['name'] === 'lync')).toMatchObject({ limits: null, inFlight: 0 })
    expect((await call(w.gw, w.lync.actorToken())).status).toBe(200)
    for (const res of held.splice(0)) res.writeHead(200).end('{}')
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200])
    w.upstream.handler = undefined
    expect((await call(w.gw, token)).status).toBe(200)
    const metrics = await (await fetch(`${w.gw.adminUrl}/metrics`)).text()
    expect(metrics).toContain('s2s_gateway_rate_limited_total{partner="exchange",limit="concurrency"} 1')
  })

  it("a request whose client left while its token waited for the partner's keys takes no slot and reaches no backend", async () => {
    const w = await world({ maxConcurrent: 1 })
    expect((await call(w.gw, w.exchange.actorToken())).status).toBe(200)
    // The partner rotates its certificate: the gateway refetches its document for the new token, and the metadata
    // server holds that fetch, so the token waits.
    await w.exchange.rotate()
    const fetches: ServerResponse[] = []
    w.exMeta.handler = (_req, res) => void fetches.push(res)
    const client = new AbortController()
    const gone = fetch(`${w.gw.url}/api/items`, { headers: { authorization: `Bearer ${w.exchange.actorToken()}` }, signal: client.signal }).catch(() => undefined)
    await until(() => fetches.length === 1, 'the refetch of the rotated keys')
    client.abort()
    await gone
    await until(() => w.gw.logs().some((l) => l['msg'] === 'request' && l['outcome'] === 'aborted'), "the aborted request's line")
    const installed = (): number => w.gw.logs().filter((l) => l['msg'] === 'partner signing keys installed').length
    const before = installed()
    w.exMeta.handler = undefined
    fetches[0]?.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(exchangeDocument(w.exchange, w.exMeta.url)))
    await until(() => installed() > before, 'the new keys installed')
    // Its slot was never taken (it would never be given back: the response had closed already), so the one slot
    // is free; and the backend saw the first request and this one only.
    expect((await call(w.gw, w.exchange.actorToken())).status).toBe(200)
    expect(w.upstream.seen).toHaveLength(2)
  })
})
