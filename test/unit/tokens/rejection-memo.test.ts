// Unit tests (issue 11): the memo of final refusals. A replayed bad token must be refused exactly as the first time
// (code, reason, partner, metrics event) without being checked again, and no refusal that a later moment or a
// partner's metadata could turn into an acceptance may be kept.
import { beforeAll, describe, expect, it } from 'vitest'
import { GatewayError, tokenInvalid, type TokenRejectReason } from '../../../src/errors/index.js'
import { createRejectionMemo } from '../../../src/tokens/rejection-memo.js'
import { PUBLIC_HOST, SERVICE_ID } from '../../helpers/tokens.js'
import { actor, makeHarness, makeWorld, NOW, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await makeWorld()
})

describe('createRejectionMemo', () => {
  it.each<TokenRejectReason>(['malformed', 'aud_realm', 'aud_host', 'expired', 'lifetime', 'nameid', 'user_claims', 'outer_binding'])('keeps a %s refusal', (reason) => {
    const memo = createRejectionMemo(10)
    memo?.remember('k', tokenInvalid(reason, { partner: 'exchange' }), 'exchange', true)
    const known = memo?.recall('k')
    expect(known?.err).toMatchObject({ code: 'GW_TOKEN_INVALID', reason, detail: { partner: 'exchange' } })
    expect(known?.partner).toBe('exchange')
  })

  it.each<[string, GatewayError]>([
    ['not yet valid (time will make it valid)', tokenInvalid('not_yet_valid')],
    ['a bad signature (the signature memo keeps those per key set)', tokenInvalid('signature')],
    ['a partner without keys', new GatewayError('GW_PARTNER_UNAVAILABLE')],
    ['a 403 after verification', new GatewayError('GW_NOT_ALLOWED')],
    ['a refusal made up for an internal fault', tokenInvalid('malformed', { internal: 'TypeError' })],
  ])('never keeps %s', (_label, err) => {
    const memo = createRejectionMemo(10)
    memo?.remember('k', err, 'unknown', true)
    expect(memo?.recall('k')).toBeUndefined()
  })

  it('keeps an unknown issuer only once every issuer is identified', () => {
    const memo = createRejectionMemo(10)
    memo?.remember('k', tokenInvalid('issuer_unknown'), 'unknown', false)
    expect(memo?.recall('k')).toBeUndefined()
    memo?.remember('k', tokenInvalid('issuer_unknown'), 'unknown', true)
    expect(memo?.recall('k')?.err.reason).toBe('issuer_unknown')
  })

  it('hands out a new error each time: what one request adds to its detail reaches no other', () => {
    const memo = createRejectionMemo(10)
    memo?.remember('k', tokenInvalid('expired', { partner: 'exchange' }), 'exchange', true)
    const first = memo?.recall('k')?.err
    first!.detail['extra'] = 1
    expect(memo?.recall('k')?.err).not.toBe(first)
    expect(memo?.recall('k')?.err.detail).toEqual({ partner: 'exchange' })
  })

  it('is bounded, and disabled with the verified-token cache (cacheMaxEntries 0)', () => {
    const memo = createRejectionMemo(2)
    for (const key of ['a', 'b', 'c']) memo?.remember(key, tokenInvalid('expired'), 'unknown', true)
    expect(memo?.recall('a')).toBeUndefined()
    expect(memo?.recall('c')).toBeDefined()
    expect(createRejectionMemo(0)).toBeUndefined()
  })
})

describe('a replayed refused token', () => {
  it('is refused the same way every time, counted every time, and checked only the first time', async () => {
    const results: string[] = []
    const h = makeHarness(w, { events: { onResult: (partner, result, reason) => results.push(`${partner}:${result}:${reason}`) } })
    let lookups = 0
    const findById = h.registry.findById.bind(h.registry)
    h.registry.findById = (id) => (lookups++, findById(id))
    const wrongRealm = actor(w.exchange, { aud: `${SERVICE_ID}/${PUBLIC_HOST}@fabrikam.com` })
    for (let i = 0; i < 3; i++) {
      await expect(h.validator.validate(wrongRealm)).rejects.toMatchObject({ code: 'GW_TOKEN_INVALID', reason: 'aud_realm', detail: { partner: 'exchange' } })
    }
    expect(results).toEqual(['exchange:rejected:aud_realm', 'exchange:rejected:aud_realm', 'exchange:rejected:aud_realm'])
    expect(lookups).toBe(1)
  })

  it('a token refused as not yet valid is accepted once its time has come', async () => {
    const h = makeHarness(w)
    const early = actor(w.exchange, { nbf: NOW + 3600, exp: NOW + 7200 })
    await expect(h.validator.validate(early)).rejects.toMatchObject({ reason: 'not_yet_valid' })
    h.clock.nowMs = (NOW + 3600) * 1000
    await expect(h.validator.validate(early)).resolves.toMatchObject({ partner: 'exchange' })
  })
})
