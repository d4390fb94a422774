// The validator's contract: only GatewayErrors come out, events name registered partners only, hostile input
// never becomes a 500 and a mutated token is never accepted.
import { beforeAll, describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/errors/index.js'
import { actor, makeHarness, makeWorld, userToken, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await makeWorld()
})

describe('events', () => {
  it.each<[string, (w: World) => string, [string, string, string]]>([
    ['ok', (w) => actor(w.exchange), ['exchange', 'ok', 'ok']],
    ['rejected before the partner is known', () => 'garbage', ['unknown', 'rejected', 'malformed']],
    ['rejected after the partner is known', (w) => actor(w.exchange, {}, {}, w.rogue.privateKey), ['exchange', 'rejected', 'signature']],
    ['forbidden', (w) => userToken(w.lync), ['lync', 'forbidden', 'trust_level']],
    ['unknown issuer is not a label', (w) => actor(w.exchange, { iss: 'attacker-chosen@contoso.com', nameid: 'attacker-chosen@contoso.com' }), ['unknown', 'rejected', 'issuer_unknown']],
    // A partner with a wrong clock must show up under its own name, though time is checked before the lookup.
    ['expired, from a registered partner', (w) => actor(w.exchange, { nbf: 1_000_000, exp: 1_003_600 }), ['exchange', 'rejected', 'expired']],
    ['wrong audience, from a registered partner', (w) => actor(w.exchange, { aud: 'other/gw.contoso.com@contoso.com' }), ['exchange', 'rejected', 'aud_principal']],
  ])('%s', async (_name, build, expected) => {
    const results: Array<[string, string, string]> = []
    const h = makeHarness(w, { events: { onResult: (...args) => void results.push(args) } })
    await h.validator.validate(build(w)).catch(() => undefined)
    expect(results).toEqual([expected])
  })

  it('reports unavailable partners', async () => {
    const results: string[] = []
    const h = makeHarness(w, { exchange: { keys: undefined }, events: { onResult: (p, r, reason) => void results.push(`${p}:${r}:${reason}`) } })
    await h.validator.validate(actor(w.exchange)).catch(() => undefined)
    expect(results).toEqual(['exchange:unavailable:partner_unavailable'])
  })

  it('a throwing metrics hook changes no decision', async () => {
    const h = makeHarness(w, { events: { onResult: () => { throw new Error('boom') }, onCache: () => { throw new Error('boom') } } })
    const token = actor(w.exchange)
    await expect(h.validator.validate(token)).resolves.toMatchObject({ partner: 'exchange' })
    await expect(h.validator.validate(token)).resolves.toMatchObject({ partner: 'exchange' })
    await expect(h.validator.validate('x')).rejects.toMatchObject({ reason: 'malformed' })
  })
})

describe('robustness', () => {
  it('turns an unexpected exception into a 401 malformed that quotes nothing', async () => {
    const h = makeHarness(w)
    h.registry.findById = () => {
      throw new TypeError('secret token text eyJ...')
    }
    const err = (await h.validator.validate(actor(w.exchange)).catch((e: unknown) => e)) as GatewayError
    expect(err).toBeInstanceOf(GatewayError)
    expect({ code: err.code, reason: err.reason, detail: err.detail, cause: err.cause }).toEqual({
      code: 'GW_TOKEN_INVALID',
      reason: 'malformed',
      detail: { internal: 'TypeError' },
      cause: undefined,
    })
  })

  it('never lets another GatewayError code (a 500) escape', async () => {
    const h = makeHarness(w)
    h.registry.findById = () => {
      throw new GatewayError('GW_INTERNAL')
    }
    await expect(h.validator.validate(actor(w.exchange))).rejects.toMatchObject({ code: 'GW_TOKEN_INVALID', reason: 'malformed', detail: { internal: 'GW_INTERNAL' } })
  })

  it('returns a frozen Identity (shared by cache hits)', async () => {
    const h = makeHarness(w)
    const identity = await h.validator.validate(userToken(w.exchange))
    expect(Object.isFrozen(identity)).toBe(true)
    expect(Object.isFrozen(identity.user)).toBe(true)
  })

  it('never accepts a token with any single character changed, and throws only GatewayErrors', async () => {
    const h = makeHarness(w, { tokens: { cacheMaxEntries: 0 } })
    const token = actor(w.exchange)
    await h.validator.validate(token)
    const alphabet = 'Aa0-_.'
    let tried = 0
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (token[i] === c) continue
        const mutated = token.slice(0, i) + c + token.slice(i + 1)
        const outcome = await h.validator.validate(mutated).then(
          () => 'accepted',
          (e: unknown) => (e instanceof GatewayError && e.code === 'GW_TOKEN_INVALID' ? 'rejected' : e),
        )
        expect(outcome, `position ${i} → ${c}`).toBe('rejected')
        tried++
      }
    }
    expect(tried).toBeGreaterThan(token.length * 4)
  })

  it.each([
    ['a huge JSON nesting depth', `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('['.repeat(2000) + ']'.repeat(2000)).toString('base64url')}.c2ln`],
    ['a __proto__ claim', `${Buffer.from('{"alg":"RS256","__proto__":{"x5t":1}}').toString('base64url')}.${Buffer.from('{"__proto__":{"iss":"a@b"}}').toString('base64url')}.c2ln`],
  ])('rejects %s as a 401', async (_name, token) => {
    const h = makeHarness(w)
    await expect(h.validator.validate(token)).rejects.toMatchObject({ code: 'GW_TOKEN_INVALID' })
  })
})
