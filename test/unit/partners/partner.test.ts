import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../../src/certs/create.js'
import type { PartnerConfig } from '../../../src/schema/types.js'
import { createMetadataPartner, createStaticPartner } from '../../../src/partners/partner.js'
import { MetadataFetchError } from '../../../src/partners/metadata-fetch.js'
import type { PartnerEvents } from '../../../src/partners/partner-deps.js'
import { parseSigningCertificate } from '../../../src/certs/x509.js'
import type { Partner } from '../../../src/partners/types.js'
import { exchangeShape, testCertificates } from '../../helpers/metadata-docs.js'
import {
  METADATA, fakeClock, fakeFetch, partnerConfig, recordingLogger, type Clock, type FakeFetch,
} from '../../helpers/metadata-fakes.js'
import { EXCHANGE_ID } from '../../helpers/tokens.js'

let a: CreatedCertificate
let b: CreatedCertificate
beforeAll(async () => {
  ;[a, b] = (await testCertificates(2)) as [CreatedCertificate, CreatedCertificate]
})

const docWith = (certs: CreatedCertificate[], id = EXCHANGE_ID, realm = 'contoso.com') => exchangeShape({ id, realm, certs })

interface Setup {
  partner: Partner
  fetch: FakeFetch
  clock: Clock
  log: ReturnType<typeof recordingLogger>
  events: Required<PartnerEvents> & { seen: string[] }
}

const opened: Partner[] = []
afterEach(() => {
  opened.splice(0).forEach((p) => p.close())
  vi.useRealTimers()
})

function setup(answer: unknown, config: Partial<PartnerConfig> = {}, random = () => 0.5): Setup {
  const fetch = fakeFetch(answer)
  const clock = fakeClock()
  const log = recordingLogger()
  const seen: string[] = []
  const events = {
    seen,
    onFetch: (_p: string, result: string, reason?: string) => void seen.push(reason === undefined ? result : `${result}:${reason}`),
    onRefetchSuppressed: () => void seen.push('suppressed'),
    onStateChange: (_p: string, state: string) => void seen.push(`state:${state}`),
  }
  const partner = createMetadataPartner(partnerConfig(config), { metadata: METADATA, now: clock.now, fetchDocument: fetch, log, events, random })
  opened.push(partner)
  return { partner, fetch, clock, log, events }
}

const x5tsOf = (p: Partner): string[] | undefined => p.keys()?.all.map((k) => k.x5t)

describe('metadata partner: loading', () => {
  it('does nothing until asked, then loads keys and learns its identity', async () => {
    const { partner, fetch, events } = setup(docWith([a]))
    expect(fetch.calls).toBe(0)
    expect(partner.state()).toBe('loading')
    expect(partner.identity()).toBeUndefined()
    await partner.ensureLoaded()
    expect(fetch.calls).toBe(1)
    expect(partner.state()).toBe('ok')
    expect(x5tsOf(partner)).toEqual([a.x5t])
    expect(partner.identity()).toEqual({ id: EXCHANGE_ID, realm: 'contoso.com' })
    expect(partner.lastFetch()).toMatchObject({ ok: true })
    expect(events.seen).toEqual(['ok', 'state:ok'])
  })

  it('knows a pinned identity before any fetch and lowercases it', () => {
    const { partner } = setup(docWith([a]), { applicationId: EXCHANGE_ID.toUpperCase(), realm: 'Contoso.COM' })
    expect(partner.identity()).toEqual({ id: EXCHANGE_ID, realm: 'contoso.com' })
  })

  it('resolves at once when keys are usable', async () => {
    const { partner, fetch } = setup(docWith([a]))
    await partner.ensureLoaded()
    await partner.ensureLoaded()
    expect(fetch.calls).toBe(1)
  })

  it('goes from loading to failed when the first fetch fails, retrying only after the cooldown', async () => {
    const { partner, fetch, clock, events } = setup(new Error('boom'))
    await expect(partner.ensureLoaded()).resolves.toBeUndefined()
    expect(partner.state()).toBe('failed')
    expect(partner.keys()).toBeUndefined()
    expect(partner.lastFetch()).toMatchObject({ ok: false, error: 'fetch_failed' })
    clock.advanceSec(59)
    await partner.ensureLoaded()
    expect(fetch.calls).toBe(1)
    clock.advanceSec(1)
    fetch.answer = docWith([a])
    await partner.ensureLoaded()
    expect(fetch.calls).toBe(2)
    expect(partner.state()).toBe('ok')
    expect(events.seen).toEqual(['error:fetch_failed', 'state:failed', 'ok', 'state:ok'])
  })
})

describe('metadata partner: why a fetch failed', () => {
  it('keeps the fetch error\'s message (errno, HTTP status) for the log and /status, beside the reason', async () => {
    const { partner, log, events } = setup(new MetadataFetchError('network', 'connection failed (ECONNREFUSED)'))
    await partner.ensureLoaded()
    expect(partner.lastFetch()).toMatchObject({ ok: false, error: 'network', detail: 'connection failed (ECONNREFUSED)' })
    expect(log.records).toContainEqual(expect.objectContaining({ msg: 'partner metadata fetch failed', obj: expect.objectContaining({ reason: 'network', detail: 'connection failed (ECONNREFUSED)' }) }))
    expect(events.seen).toContain('error:network')
  })
})

describe('metadata partner: single-flight and cooldown', () => {
  it('shares one fetch among 100 concurrent refetchOnMiss callers', async () => {
    const { partner, fetch } = setup(docWith([a]))
    fetch.held = true
    const results = Array.from({ length: 100 }, () => partner.refetchOnMiss())
    fetch.release()
    expect(await Promise.all(results)).toEqual(Array(100).fill(true))
    expect(fetch.calls).toBe(1)
  })

  it('shares one fetch among ensureLoaded, refetchOnMiss and refreshNow', async () => {
    const { partner, fetch } = setup(docWith([a]))
    fetch.held = true
    const all = Promise.all([partner.ensureLoaded(), partner.refetchOnMiss(), partner.refreshNow(), partner.ensureLoaded()])
    fetch.release()
    await all
    expect(fetch.calls).toBe(1)
  })

  it('allows one on-demand refetch per cooldown window, counted from its start', async () => {
    const { partner, fetch, clock, events } = setup(docWith([a]))
    await partner.ensureLoaded()
    expect(await partner.refetchOnMiss()).toBe(false) // same keys: nothing new to retry with
    expect(fetch.calls).toBe(2)
    clock.advanceSec(59)
    expect(await partner.refetchOnMiss()).toBe(false)
    expect(fetch.calls).toBe(2)
    expect(events.seen.filter((e) => e === 'suppressed')).toHaveLength(1)
    clock.advanceSec(1)
    fetch.answer = docWith([b, a])
    expect(await partner.refetchOnMiss()).toBe(true)
    expect(fetch.calls).toBe(3)
  })

  it('refreshNow bypasses the cooldown', async () => {
    const { partner, fetch } = setup(docWith([a]))
    await partner.refetchOnMiss()
    fetch.answer = docWith([b])
    expect(await partner.refreshNow()).toBe(true)
    expect(await partner.refreshNow()).toBe(false)
    expect(fetch.calls).toBe(3)
  })

  it('installs a rotated key set on a miss and reports it', async () => {
    const { partner, fetch } = setup(docWith([a]))
    await partner.ensureLoaded()
    fetch.answer = docWith([b, a])
    expect(await partner.refetchOnMiss()).toBe(true)
    expect(x5tsOf(partner)).toEqual([b.x5t, a.x5t])
    expect(partner.keys()?.byX5t.get(b.x5t)?.derBase64).toBe(b.der.toString('base64'))
  })

  it('spends its own on-demand fetch when a joined background fetch brought nothing new', async () => {
    const { partner, fetch } = setup(docWith([a]))
    await partner.ensureLoaded()
    fetch.answer = (call: number) => (call <= 2 ? docWith([a]) : docWith([b])) // rotated after fetch 2 was served
    fetch.held = true
    const background = partner.refreshNow()
    const miss = partner.refetchOnMiss()
    fetch.release()
    expect(await background).toBe(false)
    expect(await miss).toBe(true)
    expect(fetch.calls).toBe(3)
    expect(x5tsOf(partner)).toEqual([b.x5t])
  })
})

describe('metadata partner: hand-over to its successor (reload) during a fetch', () => {
  /** The partner a reload builds in place of `predecessor`, as registry.ts does, and the predecessor closed. */
  function successorOf(predecessor: Partner, fetch: FakeFetch, clock: Clock): Partner {
    const seed = predecessor.handOver?.()
    const next = createMetadataPartner(partnerConfig(), { metadata: METADATA, now: clock.now, fetchDocument: fetch, log: recordingLogger(), ...(seed === undefined ? {} : { seed }) })
    opened.push(next)
    predecessor.close()
    return next
  }

  it('shares the rotation refetch in flight and takes over the new key with the spent cooldown', async () => {
    const { partner, fetch, clock } = setup(docWith([a]))
    await partner.ensureLoaded()
    fetch.answer = docWith([b, a])
    fetch.held = true
    const inOldRuntime = partner.refetchOnMiss() // a token signed with b arrived before the reload
    const successor = successorOf(partner, fetch, clock)
    const inNewRuntime = successor.refetchOnMiss() // the next token signed with b, after the reload
    fetch.release()
    expect(await inOldRuntime).toBe(true)
    expect(await inNewRuntime).toBe(true)
    expect(x5tsOf(successor)).toEqual([b.x5t, a.x5t])
    expect(fetch.calls).toBe(2) // the one refetch, shared across the reload
    expect(await successor.refetchOnMiss()).toBe(false) // the cooldown it spent carries over (README "Reloading")
    expect(fetch.calls).toBe(2)
  })

  it('follows the fetch through two reloads, and starts its own refresh schedule once it is done', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { partner, fetch, clock } = setup(docWith([a]))
    await partner.ensureLoaded()
    fetch.answer = docWith([b])
    fetch.held = true
    void partner.refetchOnMiss()
    const second = successorOf(successorOf(partner, fetch, clock), fetch, clock)
    await second.ensureLoaded() // keys usable at once (a's), so it starts without waiting
    expect(vi.getTimerCount()).toBe(0) // the schedule waits for the fetch it shares
    fetch.release()
    expect(await second.refetchOnMiss()).toBe(true) // joins the shared flight
    expect(x5tsOf(second)).toEqual([b.x5t])
    expect(second.lastFetch()).toMatchObject({ ok: true })
    expect(vi.getTimerCount()).toBe(1)
    expect(fetch.calls).toBe(2)
  })

  it('keeps its keys, stale, when the shared fetch fails, without fetching again', async () => {
    const { partner, fetch, clock } = setup(docWith([a]))
    await partner.ensureLoaded()
    fetch.answer = new Error('down')
    fetch.held = true
    void partner.refetchOnMiss()
    const successor = successorOf(partner, fetch, clock)
    const miss = successor.refetchOnMiss()
    fetch.release()
    expect(await miss).toBe(false)
    expect(x5tsOf(successor)).toEqual([a.x5t])
    expect(successor.state()).toBe('stale')
    expect(fetch.calls).toBe(2)
  })
})

describe('metadata partner: last-known-good', () => {
  it('serves stale keys until maxStaleSec after the last success, then fails', async () => {
    const { partner, fetch, clock, events } = setup(docWith([a]))
    await partner.ensureLoaded()
    fetch.answer = new Error('down')
    clock.advanceSec(3_600)
    expect(await partner.refreshNow()).toBe(false)
    expect(partner.state()).toBe('stale')
    expect(x5tsOf(partner)).toEqual([a.x5t])
    clock.advanceSec(METADATA.maxStaleSec - 3_600 - 1)
    expect(partner.state()).toBe('stale')
    clock.advanceSec(1)
    expect(partner.state()).toBe('failed')
    expect(partner.keys()).toBeUndefined()
    await partner.refreshNow()
    fetch.answer = docWith([a])
    clock.advanceSec(METADATA.refetchCooldownSec)
    await partner.ensureLoaded()
    expect(partner.state()).toBe('ok')
    expect(events.seen).toEqual(['ok', 'state:ok', 'error:fetch_failed', 'state:stale', 'error:fetch_failed', 'state:failed', 'ok', 'state:ok'])
  })

  it.each([
    ['a changed issuer id', () => docWith([b], '00000004-0000-0ff1-ce00-000000000000'), {}, 'issuer_changed'],
    ['a changed realm', () => docWith([b], EXCHANGE_ID, 'fabrikam.com'), {}, 'issuer_changed'],
    ['no usable signing key', () => ({ ...docWith([]), keys: [{ usage: 'signing', keyvalue: { type: 'x509Certificate', value: 'AAAA' } }] }), {}, 'no_usable_key'],
    ['a document that is not an object', () => ['not', 'a', 'document'], {}, 'not_object'],
    ['a document without an issuer', () => ({ keys: docWith([b]).keys }), {}, 'no_identity'],
  ])('refuses %s and keeps the old keys', async (_label, next, config, reason) => {
    const { partner, fetch, events, log } = setup(docWith([a]), config)
    await partner.ensureLoaded()
    fetch.answer = next()
    expect(await partner.refreshNow()).toBe(false)
    expect(x5tsOf(partner)).toEqual([a.x5t])
    expect(partner.identity()).toEqual({ id: EXCHANGE_ID, realm: 'contoso.com' })
    expect(partner.state()).toBe('stale')
    expect(partner.lastFetch()).toMatchObject({ ok: false, error: reason })
    expect(events.seen).toContain(`refused:${reason}`)
    expect(log.text()).not.toContain(b.der.toString('base64').slice(0, 40)) // never the document body
  })

  it.each([
    ['with', { applicationId: EXCHANGE_ID }],
    ['without', {}],
  ])('a registration with realm "*" (%s applicationId) takes the document\'s keys, and "*" stays its realm', async (_label, pin) => {
    const { partner, fetch } = setup(docWith([a]), { ...pin, realm: '*' })
    await partner.ensureLoaded()
    expect(partner.state()).toBe('ok')
    expect(x5tsOf(partner)).toEqual([a.x5t])
    // Tokens may then name any of OUR realms (docs/PROTOCOL.md §4.4), not the document's contoso.com alone.
    expect(partner.identity()).toEqual({ id: EXCHANGE_ID, realm: '*' })
    fetch.answer = docWith([b], EXCHANGE_ID, 'fabrikam.com')
    expect(await partner.refreshNow()).toBe(false) // a later document still may not change the issuer
    expect(partner.lastFetch()).toMatchObject({ ok: false, error: 'issuer_changed' })
    expect(x5tsOf(partner)).toEqual([a.x5t])
  })

  it.each([
    ['applicationId', { applicationId: '00000004-0000-0ff1-ce00-000000000000' }],
    ['realm', { realm: 'fabrikam.com' }],
  ])('refuses a first document that contradicts the pinned %s', async (_label, pin) => {
    const { partner, events, log } = setup(docWith([a]), pin)
    await partner.ensureLoaded()
    expect(partner.state()).toBe('failed')
    expect(partner.keys()).toBeUndefined()
    expect(events.seen).toContain('refused:pinned_mismatch')
    expect(log.records.find((r) => r.obj && 'documentIssuer' in r.obj)?.obj).toMatchObject({ documentIssuer: `${EXCHANGE_ID}@contoso.com` })
  })
})

describe('metadata partner: retry-after, warnings, hooks', () => {
  it('retryAfterSec counts down to the next possible attempt, between 1 and the cooldown', async () => {
    const { partner, clock } = setup(new Error('down'))
    expect(partner.retryAfterSec()).toBe(1)
    await partner.ensureLoaded()
    expect(partner.retryAfterSec()).toBe(30) // background retry after 30 s comes before the 60 s cooldown
    clock.advanceSec(25)
    expect(partner.retryAfterSec()).toBe(5)
    clock.advanceSec(100)
    expect(partner.retryAfterSec()).toBe(1)
  })

  it('keeps an expired certificate and warns about it (docs/PROTOCOL.md §1.6 step 4)', async () => {
    const expired = await createSelfSignedCertificate({ subject: 'CN=expired', notBefore: new Date(Date.UTC(2020, 0, 1)), days: 1 })
    const { partner, log } = setup(docWith([expired]))
    await partner.ensureLoaded()
    expect(x5tsOf(partner)).toEqual([expired.x5t])
    expect(log.records.some((r) => r.level === 'warn' && r.msg === 'partner signing certificate has expired')).toBe(true)
  })

  it('logs parser warnings with the partner name', async () => {
    const doc = docWith([a])
    ;(doc.keys as Array<{ keyinfo: { x5t: string } }>)[0]!.keyinfo.x5t = b.x5t
    const { partner, log } = setup(doc)
    await partner.ensureLoaded()
    expect(log.records.find((r) => r.msg === 'partner metadata document')?.obj).toMatchObject({ partner: 'exchange' })
  })

  it('survives throwing event hooks', async () => {
    const fetch = fakeFetch(docWith([a]))
    const boom = (): void => { throw new Error('metrics broke') }
    const partner = createMetadataPartner(partnerConfig(), {
      metadata: METADATA, now: fakeClock().now, fetchDocument: fetch, log: recordingLogger(),
      events: { onFetch: boom, onStateChange: boom, onRefetchSuppressed: boom },
    })
    opened.push(partner)
    await expect(partner.ensureLoaded()).resolves.toBeUndefined()
    expect(partner.state()).toBe('ok')
  })

  it('passes the partner TLS and http settings to the fetcher', async () => {
    const { partner, fetch } = setup(docWith([a]), { allowHttp: true, tls: { insecureSkipVerify: true } })
    await partner.ensureLoaded()
    expect(fetch.lastOptions).toEqual({ timeoutMs: 5_000, maxBytes: 1_048_576, allowHttp: true, insecureSkipVerify: true })
  })
})

describe('metadata partner: background refresh', () => {
  it('refreshes every interval with jitter, backs off on failure, and stops on close', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { partner, fetch } = setup(docWith([a]), {}, () => 0) // jitter at its minimum: 0.9 x interval
    expect(vi.getTimerCount()).toBe(0)
    await partner.ensureLoaded()
    await vi.advanceTimersByTimeAsync(3_240_000 - 1)
    expect(fetch.calls).toBe(1)
    fetch.answer = new Error('down')
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch.calls).toBe(2)
    for (const [delayMs, calls] of [[30_000, 3], [60_000, 4], [120_000, 5]] as const) {
      await vi.advanceTimersByTimeAsync(delayMs - 1)
      expect(fetch.calls).toBe(calls - 1)
      await vi.advanceTimersByTimeAsync(1)
      expect(fetch.calls).toBe(calls)
    }
    partner.close()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10 * 3_600_000)
    expect(fetch.calls).toBe(5)
  })
})

describe('static partner', () => {
  it('serves its configured keys and identity, always ok, never refetches', async () => {
    const key = parseSigningCertificate(a.certPem)
    const config = partnerConfig({ name: 'hr-addin', applicationId: '11111111-2222-3333-4444-55555555AAAA', realm: 'Contoso.com', certificates: ['/x.pem'] })
    delete config.metadataUrl
    const partner = createStaticPartner(config, [key], { now: fakeClock().now, log: recordingLogger() })
    await partner.ensureLoaded()
    expect(partner.state()).toBe('ok')
    expect(partner.identity()).toEqual({ id: '11111111-2222-3333-4444-55555555aaaa', realm: 'contoso.com' })
    expect(x5tsOf(partner)).toEqual([a.x5t])
    expect(await partner.refetchOnMiss()).toBe(false)
    expect(await partner.refreshNow()).toBe(false)
    expect(partner.lastFetch()).toBeUndefined()
  })
})
