// Workers (issue 12): the metadata broker and the workers' remote fetcher wired together in one process, with
// real partner objects on both sides: the gateway fetches a document once however many workers ask, a rotation
// costs one fetch, the refetch cooldown holds gateway-wide, and a worker never takes stale keys for fresh ones.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { CreatedCertificate } from '../../../src/certs/create.js'
import { createMetadataPartner } from '../../../src/partners/partner.js'
import { MetadataFetchError } from '../../../src/partners/metadata-fetch.js'
import type { Partner } from '../../../src/partners/types.js'
import type { RuntimeHolder } from '../../../src/lifecycle/runtime.js'
import { createBackoff, createMetadataBroker, createRemoteFetch } from '../../../src/workers/index.js'
import { workerConfig } from '../../../src/workers/worker.js'
import type { GatewayConfig } from '../../../src/schema/types.js'
import { exchangeShape, testCertificates } from '../../helpers/metadata-docs.js'
import { METADATA, fakeClock, fakeFetch, partnerConfig, recordingLogger } from '../../helpers/metadata-fakes.js'
import { EXCHANGE_ID } from '../../helpers/tokens.js'

let a: CreatedCertificate
let b: CreatedCertificate
beforeAll(async () => {
  ;[a, b] = (await testCertificates(2)) as [CreatedCertificate, CreatedCertificate]
})
const docWith = (certs: CreatedCertificate[]) => exchangeShape({ id: EXCHANGE_ID, realm: 'contoso.com', certs })

const opened: Partner[] = []
afterEach(() => opened.splice(0).forEach((p) => p.close()))

/** A primary partner fetching through the broker, and `n` worker partners asking it through remote fetchers. */
function gateway(n: number) {
  const fetch = fakeFetch(docWith([a]))
  const clock = fakeClock()
  const broker = createMetadataBroker(fetch)
  const config = partnerConfig()
  const primary = createMetadataPartner(config, { metadata: METADATA, now: clock.now, fetchDocument: broker.fetchDocument, log: recordingLogger() })
  broker.attach({ current: { registry: { all: () => [primary] }, authorizationServers: { all: () => [] } } } as unknown as RuntimeHolder)
  const workers = Array.from({ length: n }, () => {
    const remote = createRemoteFetch((message) => {
      if (message.t !== 's2s:fetch') return
      void broker.answer(message.url, message.have, message.onDemand).then((answer) => remote.settle({ t: 's2s:fetched', id: message.id, answer }))
    })
    // As serveWorker runs them: the cooldown is the primary's alone.
    const { metadata } = workerConfig({ metadata: METADATA } as GatewayConfig)
    return createMetadataPartner(config, { metadata, now: clock.now, fetchDocument: remote.fetchDocument, log: recordingLogger() })
  })
  opened.push(primary, ...workers)
  const x5ts = (p: Partner): string[] => (p.keys()?.all ?? []).map((k) => k.x5t)
  return { fetch, clock, broker, primary, workers, x5ts }
}

describe('metadata broker', () => {
  it('loads a partner once for the gateway, however many workers ask at once', async () => {
    const g = gateway(4)
    await Promise.all([g.primary.ensureLoaded(), ...g.workers.map((w) => w.ensureLoaded())])
    expect(g.fetch.calls).toBe(1)
    for (const w of g.workers) expect(g.x5ts(w)).toEqual([a.x5t])
  })

  it('a rotation seen by every worker at once: one fetch, and every worker installs the new key', async () => {
    const g = gateway(4)
    await Promise.all([g.primary.ensureLoaded(), ...g.workers.map((w) => w.ensureLoaded())])
    g.fetch.answer = docWith([b, a])
    g.clock.advanceSec(1) // right after start: the on-demand budget is untouched by the initial load
    expect(await Promise.all(g.workers.map((w) => w.refetchOnMiss()))).toEqual([true, true, true, true])
    expect(g.fetch.calls).toBe(2)
    for (const w of g.workers) expect(g.x5ts(w)).toEqual([b.x5t, a.x5t])
  })

  it('holds refetchCooldownSec gateway-wide: a second worker within the cooldown gets the primary document, not a fetch', async () => {
    const g = gateway(2)
    await Promise.all([g.primary.ensureLoaded(), ...g.workers.map((w) => w.ensureLoaded())])
    const [one, two] = g.workers as [Partner, Partner]
    expect(await one.refetchOnMiss()).toBe(false) // fetched: nothing new
    expect(g.fetch.calls).toBe(2)
    g.clock.advanceSec(1)
    // Worker two has not used its own budget, holds the latest version: the primary's cooldown answers.
    expect(await two.refetchOnMiss()).toBe(false)
    expect(g.fetch.calls).toBe(2)
    g.clock.advanceSec(METADATA.refetchCooldownSec)
    await two.refetchOnMiss()
    expect(g.fetch.calls).toBe(3)
  })

  it('a worker whose ask the primary refused from its cooldown has spent nothing: it picks up a rotation once the primary may fetch', async () => {
    const g = gateway(2)
    await Promise.all([g.primary.ensureLoaded(), ...g.workers.map((w) => w.ensureLoaded())])
    const [one, two] = g.workers as [Partner, Partner]
    await one.refetchOnMiss() // a random x5t on worker one: the primary fetches
    g.clock.advanceSec(METADATA.refetchCooldownSec - 1)
    expect(await two.refetchOnMiss()).toBe(false) // a random x5t on worker two: refused by the primary's cooldown
    expect(g.fetch.calls).toBe(2)
    g.clock.advanceSec(2)
    g.fetch.answer = docWith([b, a]) // the partner rotates; the gateway-wide cooldown has run out
    expect(await two.refetchOnMiss()).toBe(true)
    expect(g.fetch.calls).toBe(3)
    expect(await one.refetchOnMiss()).toBe(true) // and worker one gets it from the primary, without a fetch
    expect(g.fetch.calls).toBe(3)
  })

  it("a worker's background refresh re-syncs from the primary without fetching", async () => {
    const g = gateway(1)
    await Promise.all([g.primary.ensureLoaded(), ...g.workers.map((w) => w.ensureLoaded())])
    const worker = g.workers[0] as Partner
    await worker.refreshNow()
    await worker.refreshNow()
    expect(g.fetch.calls).toBe(1)
    expect(worker.lastFetch()?.ok).toBe(true)
  })

  it('while the primary serves last-known-good keys, a worker is told the fetch failed (its keys age too)', async () => {
    const g = gateway(1)
    await Promise.all([g.primary.ensureLoaded(), ...g.workers.map((w) => w.ensureLoaded())])
    g.fetch.answer = new MetadataFetchError('status', 'HTTP 503')
    await g.primary.refreshNow()
    expect(g.primary.state()).toBe('stale')
    const worker = g.workers[0] as Partner
    await worker.refreshNow()
    expect(worker.lastFetch()).toMatchObject({ ok: false })
    expect(worker.state()).toBe('stale')
    expect(g.x5ts(worker)).toEqual([a.x5t])
  })

  it('refuses a URL no partner of the primary has', async () => {
    const g = gateway(0)
    expect(await g.broker.answer('https://elsewhere.example/metadata/json/1', 0, false)).toMatchObject({ ok: false, reason: 'url' })
    expect(g.fetch.calls).toBe(0)
  })
})

describe('worker restart backoff', () => {
  it('doubles while workers die young, up to 30 s, and starts over after one that lived', () => {
    const backoff = createBackoff()
    expect([backoff.next(50), backoff.next(50), backoff.next(50)]).toEqual([200, 400, 800])
    for (let i = 0; i < 20; i++) backoff.next(50)
    expect(backoff.next(50)).toBe(30_000)
    expect(backoff.next(60_000)).toBe(100)
  })
})
