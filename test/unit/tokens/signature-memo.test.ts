// Unit tests (issue 6): the memo of actor tokens that did not verify under a key set. It must change no answer:
// a remembered failure counts only under the very KeySet it failed against, the cooldown-limited refetch still
// runs on every bad signature, and a token refused before a rotation verifies once the partner holds the new key.
import { beforeAll, describe, expect, it } from 'vitest'
import { createSignatureMemo, type SignatureMemo } from '../../../src/tokens/signature.js'
import { classifyToken } from '../../../src/tokens/classify.js'
import { createValidationSettings } from '../../../src/tokens/settings.js'
import { tokenKeyOf } from '../../../src/tokens/token-cache.js'
import { verifyToken } from '../../../src/tokens/verify-token.js'
import type { ValidationTrace } from '../../../src/tokens/verified.js'
import { fakePartner, fakeRegistry, keySet } from './fakes.js'
import { actor, makeHarness, makeWorld, NOW, service, tokens, userToken, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await makeWorld()
})

describe('createSignatureMemo', () => {
  it('remembers a failure only for the same token hash and the same KeySet object', () => {
    const memo = createSignatureMemo(10)
    const keys = keySet([w.keyOf(w.exchange.cert)])
    const sameKeysNewObject = keySet([w.keyOf(w.exchange.cert)])
    memo?.remember('token-a', keys)
    expect(memo?.failedUnder('token-a', keys)).toBe(true)
    expect(memo?.failedUnder('token-a', sameKeysNewObject)).toBe(false)
    expect(memo?.failedUnder('token-b', keys)).toBe(false)
  })

  it('is bounded, and disabled with the verified-token cache (cacheMaxEntries 0)', () => {
    const memo = createSignatureMemo(2)
    const keys = keySet([w.keyOf(w.exchange.cert)])
    for (const name of ['a', 'b', 'c']) memo?.remember(name, keys)
    expect(memo?.failedUnder('a', keys)).toBe(false)
    expect(memo?.failedUnder('c', keys)).toBe(true)
    expect(createSignatureMemo(0)).toBeUndefined()
  })
})

describe('a replayed bad signature', () => {
  it('is refused the same way every time, each time offering the partner its refetch', async () => {
    const h = makeHarness(w, { exchange: { refetch: () => undefined } })
    const forged = actor(w.exchange, {}, { x5t: w.exchange.cert.x5t }, w.rogue.privateKey)
    for (let i = 1; i <= 3; i++) {
      await expect(h.validator.validate(forged)).rejects.toMatchObject({ code: 'GW_TOKEN_INVALID', reason: 'signature' })
      expect(h.exchange.calls.refetchOnMiss).toBe(i)
    }
  })

  it('verifies once the partner holds the key: a failure remembered before a rotation does not outlive its KeySet', async () => {
    const partner = w.exchange
    const oldKey = w.keyOf(partner.cert)
    const h = makeHarness(w, { exchange: { keys: [oldKey], refetch: () => undefined } })
    const signedWithNext = actor(partner, {}, { x5t: w.rogue.x5t }, w.rogue.privateKey) // the partner's next key, not fetched yet
    await expect(h.validator.validate(signedWithNext)).rejects.toMatchObject({ reason: 'signature' })
    await expect(h.validator.validate(signedWithNext)).rejects.toMatchObject({ reason: 'signature' })
    h.exchange.setKeys([w.keyOf(w.rogue), oldKey]) // the partner's document now publishes it
    await expect(h.validator.validate(signedWithNext)).resolves.toMatchObject({ partner: 'exchange', x5t: w.rogue.x5t })
  })

  it('is refused as before when the caches are disabled', async () => {
    const h = makeHarness(w, { tokens: { cacheMaxEntries: 0 }, exchange: { refetch: () => undefined } })
    const forged = actor(w.exchange, {}, { x5t: w.exchange.cert.x5t }, w.rogue.privateKey)
    await expect(h.validator.validate(forged)).rejects.toMatchObject({ reason: 'signature' })
    await expect(h.validator.validate(forged)).rejects.toMatchObject({ reason: 'signature' })
  })
})

describe("the memo's key", () => {
  /** A memo that remembers nothing and records every key it is asked about. */
  function recordingMemo(): SignatureMemo & { asked: string[] } {
    const asked: string[] = []
    return { asked, failedUnder: (key) => (asked.push(key), false), remember: () => undefined }
  }

  /** Verify `token` with a memo of our own; the result as a promise (it is ready at once when the keys are loaded). */
  async function verifyWithMemo(token: string, memo: SignatureMemo, tokenKey?: string): Promise<Awaited<ReturnType<typeof verifyToken>>> {
    const exchange = fakePartner({ name: 'exchange', id: w.exchange.id, realm: w.exchange.realm, keys: [w.keyOf(w.exchange.cert)] })
    const deps = { settings: createValidationSettings(service, tokens), registry: fakeRegistry([exchange]), logger: undefined, signatureMemo: memo }
    const trace: ValidationTrace = { partner: 'unknown' }
    return verifyToken(token, NOW, deps, trace, tokenKey)
  }

  it("of an app-only token is the key the verified-token cache gave it (one hash per replayed forged token), else the token's own", async () => {
    const token = actor(w.exchange)
    const given = recordingMemo()
    await expect(verifyWithMemo(token, given, 'key-from-the-cache')).resolves.toMatchObject({ partner: { name: 'exchange' } })
    expect(given.asked).toEqual(['key-from-the-cache'])
    const computed = recordingMemo()
    await expect(verifyWithMemo(token, computed)).resolves.toMatchObject({ partner: { name: 'exchange' } })
    expect(computed.asked).toEqual([tokenKeyOf(token)])
  })

  it("of a user token is its actor token's key, never the outer token's", async () => {
    const token = userToken(w.exchange)
    const memo = recordingMemo()
    await expect(verifyWithMemo(token, memo, tokenKeyOf(token))).resolves.toMatchObject({ identity: { authType: 'user' } })
    const { actor: inner } = classifyToken(token)
    expect(memo.asked).toEqual([tokenKeyOf(`${inner.signingInput}.${inner.signature}`)])
    expect(memo.asked).not.toContain(tokenKeyOf(token))
  })
})
