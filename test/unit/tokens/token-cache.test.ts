// The verified-token cache (issue 2 §6, issue 6): a hit does no RSA and no JSON, yet time, partner and key
// are re-checked on every hit.
import * as crypto from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { actor, makeHarness, makeWorld, NOW, SKEW, times, userToken, type World } from './world.js'
import { fakePartner } from './fakes.js'

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>()
  return { ...real, verify: vi.fn(real.verify) }
})
const verifySpy = vi.mocked(crypto.verify)

let w: World
beforeAll(async () => {
  w = await makeWorld()
})
afterEach(() => {
  verifySpy.mockClear()
  vi.restoreAllMocks()
})

describe('verified-token cache', () => {
  it('a hit skips signature verification and JSON parsing', async () => {
    const hits: boolean[] = []
    const h = makeHarness(w, { events: { onCache: (hit) => void hits.push(hit) } })
    const token = userToken(w.exchange)
    const first = await h.validator.validate(token)
    expect(verifySpy).toHaveBeenCalledTimes(1)
    const parse = vi.spyOn(JSON, 'parse')
    const second = await h.validator.validate(token)
    expect(second).toEqual(first)
    expect(verifySpy).toHaveBeenCalledTimes(1)
    expect(parse).not.toHaveBeenCalled()
    expect(hits).toEqual([false, true])
  })

  it('refuses an expired cached token, with no signature work', async () => {
    const h = makeHarness(w)
    const token = actor(w.exchange, { nbf: NOW - 60, exp: NOW + 60 })
    await h.validator.validate(token)
    h.clock.nowMs = (NOW + 60 + SKEW - 1) * 1000
    await h.validator.validate(token) // still inside the skew
    h.clock.nowMs = (NOW + 60 + SKEW) * 1000
    await expect(h.validator.validate(token)).rejects.toMatchObject({ code: 'GW_TOKEN_INVALID', reason: 'expired' })
    expect(verifySpy).toHaveBeenCalledTimes(1)
  })

  it('uses the effective expiry of a user token: min(outer.exp, actor.exp)', async () => {
    const h = makeHarness(w)
    const token = userToken(w.exchange, undefined, { nbf: NOW - 10, exp: NOW + 100 }, { nbf: NOW - 10, exp: NOW + 50_000 })
    await h.validator.validate(token)
    h.clock.nowMs = (NOW + 100 + SKEW) * 1000
    await expect(h.validator.validate(token)).rejects.toMatchObject({ reason: 'expired' })
  })

  it('a key removed from the partner key set invalidates the hit', async () => {
    const h = makeHarness(w)
    const token = actor(w.exchange)
    await h.validator.validate(token)
    h.exchange.setKeys([w.keyOf(w.gateway)]) // rotation/revocation: the verifying key is gone
    await expect(h.validator.validate(token)).rejects.toMatchObject({ reason: 'signature' })
    expect(verifySpy.mock.calls.length).toBeGreaterThan(1)
  })

  it('a replaced partner object (reload) invalidates the hit; the token is verified again', async () => {
    const h = makeHarness(w)
    const token = actor(w.exchange)
    await h.validator.validate(token)
    const reloaded = fakePartner({ name: 'exchange', id: w.exchange.id, realm: w.exchange.realm, keys: [w.keyOf(w.exchange.cert)], trustLevel: 'application' })
    h.registry.put(reloaded)
    const identity = await h.validator.validate(token)
    expect(identity.trustLevel).toBe('application')
    expect(verifySpy).toHaveBeenCalledTimes(2)
  })

  it('a removed partner invalidates the hit', async () => {
    const h = makeHarness(w)
    const token = actor(w.exchange)
    await h.validator.validate(token)
    h.registry.remove(w.exchange.id)
    await expect(h.validator.validate(token)).rejects.toMatchObject({ reason: 'issuer_unknown' })
  })

  it('caches only fully successful results', async () => {
    const h = makeHarness(w)
    const forbidden = userToken(w.lync)
    for (let i = 0; i < 2; i++) await expect(h.validator.validate(forbidden)).rejects.toMatchObject({ code: 'GW_NOT_ALLOWED' })
    expect(verifySpy).toHaveBeenCalledTimes(2)
  })

  it('is disabled by cacheMaxEntries 0', async () => {
    const hits: boolean[] = []
    const h = makeHarness(w, { tokens: { cacheMaxEntries: 0 }, events: { onCache: (hit) => void hits.push(hit) } })
    const token = actor(w.exchange)
    await h.validator.validate(token)
    await h.validator.validate(token)
    expect(verifySpy).toHaveBeenCalledTimes(2)
    expect(hits).toEqual([])
  })

  it('stays bounded by cacheMaxEntries (least recently used evicted)', async () => {
    const h = makeHarness(w, { tokens: { cacheMaxEntries: 2 } })
    const [a, b, c] = [0, 1, 2].map((i) => actor(w.exchange, { exp: times.exp + i }))
    for (const t of [a, b, c, c, b]) await h.validator.validate(t as string)
    expect(verifySpy).toHaveBeenCalledTimes(3)
    await h.validator.validate(a as string) // evicted by c
    expect(verifySpy).toHaveBeenCalledTimes(4)
  })

  it('does not confuse two tokens differing in one character of the signature', async () => {
    const h = makeHarness(w)
    const token = actor(w.exchange)
    await h.validator.validate(token)
    const sig = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')
    sig[0] = (sig[0] as number) ^ 1
    const forged = token.slice(0, token.lastIndexOf('.') + 1) + sig.toString('base64url')
    await expect(h.validator.validate(forged)).rejects.toMatchObject({ reason: 'signature' })
  })
})
