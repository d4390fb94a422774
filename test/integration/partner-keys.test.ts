// Integration: the partner key cache through real HTTP. Rotation with zero failed requests (a reload during its
// refetch included), last-known-good keys while metadata is down, 503 + Retry-After for a partner never reachable,
// one fetch per cooldown.
import { afterEach, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { exchangeDocument, startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { EXCHANGE_ID, makeTestPartner, REALM, type TestPartner } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(partnerExtra: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}, metadataDown = false): Promise<{
  upstream: EchoUpstream
  partner: TestPartner
  meta: MetadataServer
  gw: TestGateway
}> {
  const upstream = await startEchoUpstream()
  const partner = await makeTestPartner()
  const meta = await startMetadataServer(partner)
  // Down before the gateway starts, so its background warm-up cannot have fetched the document already.
  meta.down = metadataDown
  const gw = await startTestGateway(upstream.url, { partners: [metadataPartner('exchange', meta.url, partnerExtra)], ...overrides })
  cleanups.push(() => upstream.close(), () => meta.close(), () => gw.close())
  return { upstream, partner, meta, gw }
}

const call = (gw: TestGateway, token: string): Promise<Response> =>
  fetch(`${gw.url}/api`, { headers: { authorization: `Bearer ${token}` } })

describe('partner certificate rotation', () => {
  it('a partner switching to a certificate the gateway has not fetched causes zero failed requests', async () => {
    const { partner, meta, gw } = await setup()
    expect((await call(gw, partner.actorToken())).status).toBe(200)
    const fetchesBefore = meta.fetches
    const oldToken = partner.actorToken()
    await partner.rotate() // metadata now lists the new certificate first and the previous one second
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => call(gw, i % 2 === 0 ? partner.actorToken() : oldToken).then((r) => r.status)))
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    // the 20 concurrent requests shared one on-demand fetch
    expect(meta.fetches - fetchesBefore).toBe(1)
    expect(gw.logs().some((l) => l['reason'] === 'signature')).toBe(false)
  })

  it('a reload while the rotation refetch is in flight loses neither the new key nor the next request', async () => {
    const pinned = { applicationId: EXCHANGE_ID, realm: REALM }
    const metadata = { timeoutMs: 5000, refetchCooldownSec: 3600 }
    const { partner, meta, gw } = await setup(pinned, { metadata })
    expect((await call(gw, partner.actorToken())).status).toBe(200)
    await partner.rotate()
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    meta.handler = (_req, res) => {
      void held.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(exchangeDocument(partner, meta.url))))
    }
    const fetchesBefore = meta.fetches
    const first = call(gw, partner.actorToken()) // an unknown x5t: the one on-demand refetch starts, and is held
    await until(() => meta.fetches > fetchesBefore, 'the on-demand refetch to reach the metadata server')
    // An unrelated change: the partner's metadata source is the same, so its successor keeps its state.
    gw.reload({ partners: [metadataPartner('exchange', meta.url, pinned)], metadata, publicPaths: ['/health'] })
    release()
    expect((await first).status).toBe(200)
    expect((await call(gw, partner.actorToken({ jti: 'after the reload' }))).status).toBe(200)
    expect(meta.fetches - fetchesBefore).toBe(1) // the refetch was shared across the reload, not repeated
  })
})

describe('metadata outages', () => {
  it('metadata down after a good fetch: last-known-good keys keep serving, refresh failures are logged', async () => {
    const { partner, meta, gw } = await setup()
    expect((await call(gw, partner.actorToken())).status).toBe(200)
    meta.down = true
    // A forced refresh fails; the keys in hand still verify.
    await gw.running.gateway.holder.current.registry.all()[0]?.refreshNow()
    expect((await call(gw, partner.actorToken())).status).toBe(200)
    const ready = (await (await fetch(`${gw.adminUrl}/readyz`)).json()) as { partners: Array<{ name: string; state: string }> }
    expect(ready.partners).toEqual([expect.objectContaining({ name: 'exchange', state: 'stale' })])
  })

  it('a partner whose metadata was never reachable answers 503 with Retry-After, not 401', async () => {
    const { partner, gw } = await setup({ applicationId: '00000002-0000-0ff1-ce00-000000000000', realm: REALM }, {}, true)
    const res = await call(gw, partner.actorToken())
    expect(res.status).toBe(503)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await res.json()).toEqual({ error: 'unavailable', message: 'partner keys unavailable, retry later' })
    // readiness is not taken away by one broken partner
    expect((await fetch(`${gw.adminUrl}/readyz`)).status).toBe(200)
  })

  it('regression: a partner pinned by applicationId alone (no realm) whose metadata never loaded is 503, not 401', async () => {
    const { partner, meta, gw } = await setup({ applicationId: '00000002-0000-0ff1-ce00-000000000000' }, {}, true)
    const res = await call(gw, partner.actorToken())
    expect(res.status).toBe(503)
    meta.down = false
    await gw.running.gateway.holder.current.registry.all()[0]?.refreshNow()
    expect((await call(gw, partner.actorToken())).status).toBe(200)
  })

  it('a broken partner affects only that partner', async () => {
    const upstream = await startEchoUpstream()
    const [good, bad] = await Promise.all([makeTestPartner(), makeTestPartner({ id: '00000004-0000-0ff1-ce00-000000000000' })])
    const goodMeta = await startMetadataServer(good)
    const badMeta = await startMetadataServer(bad)
    badMeta.down = true
    const gw = await startTestGateway(upstream.url, {
      partners: [
        metadataPartner('exchange', goodMeta.url),
        metadataPartner('lync', badMeta.url, { applicationId: bad.id, realm: REALM }),
      ],
    })
    cleanups.push(() => upstream.close(), () => goodMeta.close(), () => badMeta.close(), () => gw.close())
    expect((await call(gw, bad.actorToken())).status).toBe(503)
    expect((await call(gw, good.actorToken())).status).toBe(200)
  })
})

describe('on-demand refetch is rate limited', () => {
  it('a burst of tokens with unknown x5t causes at most one metadata fetch per cooldown', async () => {
    const { partner, meta, gw } = await setup({}, { metadata: { refetchCooldownSec: 3600, timeoutMs: 2000 } })
    const rogue = await makeTestPartner()
    expect((await call(gw, partner.actorToken())).status).toBe(200)
    const before = meta.fetches
    const burst = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call(gw, partner.actorToken({ jti: i }, { x5t: `unknown-${i}` }, rogue.cert.privateKey)).then((r) => r.status)),
    )
    expect(new Set(burst)).toEqual(new Set([401]))
    // Exactly one: the first unknown x5t refetches, the cooldown suppresses the rest (issue 15: "at most one"
    // also passed when no refetch happened at all).
    expect(meta.fetches - before).toBe(1)
    // the legitimate partner is unaffected
    expect((await call(gw, partner.actorToken())).status).toBe(200)
  })
})
