// Trust policy (docs/PROTOCOL.md §4.10): 403 only for fully verified tokens; 503 when the partner has no keys.
import { beforeAll, describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/errors/index.js'
import { EXCHANGE_ID, makeTestPartner, REALM } from '../../helpers/tokens.js'
import { fakePartner } from './fakes.js'
import { actor, makeHarness, makeWorld, NOW, SKEW, userToken, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await makeWorld()
})

describe('trust policy, after full verification only', () => {
  it.each<[string, (w: World) => string, string]>([
    ['user token from an application-trust partner', (w) => userToken(w.lync), 'trust_level'],
    ['user token, trustedfordelegation absent', (w) => userToken(w.exchange, undefined, {}, { trustedfordelegation: undefined }), 'delegation'],
    ['user token, trustedfordelegation "false"', (w) => userToken(w.exchange, undefined, {}, { trustedfordelegation: 'false' }), 'delegation'],
    ['user token, trustedfordelegation false', (w) => userToken(w.exchange, undefined, {}, { trustedfordelegation: false }), 'delegation'],
    ['user token, trustedfordelegation "yes"', (w) => userToken(w.exchange, undefined, {}, { trustedfordelegation: 'yes' }), 'delegation'],
    ['user token, trustedfordelegation 1', (w) => userToken(w.exchange, undefined, {}, { trustedfordelegation: 1 }), 'delegation'],
    ['user token, trustedfordelegation ["true"]', (w) => userToken(w.exchange, undefined, {}, { trustedfordelegation: ['true'] }), 'delegation'],
  ])('%s → 403 %s', async (_name, build, reason) => {
    const h = makeHarness(w)
    const err = (await h.validator.validate(build(w)).catch((e: unknown) => e)) as GatewayError
    expect(err).toBeInstanceOf(GatewayError)
    expect({ code: err.code, status: err.status, detail: err.detail }).toEqual({ code: 'GW_NOT_ALLOWED', status: 403, detail: { partner: expect.any(String), authType: 'user', reason } })
  })

  it.each<[string, (w: World) => string, string]>([
    ['application partner, user token with a rogue signature', (w) => w.lync.userToken({ upn: 'a@contoso.com' }, { nbf: NOW - 10, exp: NOW + 600 }, { nbf: NOW - 10, exp: NOW + 600, x5t: undefined }), 'signature'],
    ['application partner, user token, wrong audience', (w) => userToken(w.lync, undefined, {}, { aud: 'x/y@z' }), 'aud_principal'],
    ['no delegation and expired', (w) => userToken(w.exchange, undefined, {}, { trustedfordelegation: undefined, nbf: NOW - 7200, exp: NOW - SKEW }), 'expired'],
    ['no delegation and no user claims', (w) => userToken(w.exchange, {}, {}, { trustedfordelegation: undefined }), 'user_claims'],
  ])('%s → 401 %s, never 403', async (_name, build, reason) => {
    const h = makeHarness(w)
    if (reason === 'signature') h.lync.setKeys([w.keyOf(w.rogue)])
    await expect(h.validator.validate(build(w))).rejects.toMatchObject({ code: 'GW_TOKEN_INVALID', reason })
  })
})

describe('signature keys (docs/PROTOCOL.md §4.5)', () => {
  it('tries every key of the partner when x5t is absent', async () => {
    const h = makeHarness(w, { exchange: { keys: [w.keyOf(w.rogue), w.keyOf(w.gateway), w.keyOf(w.exchange.cert)] } })
    const identity = await h.validator.validate(actor(w.exchange, {}, { x5t: undefined }))
    expect(identity.x5t).toBe(w.exchange.cert.x5t)
  })

  it('reports the x5t of the key that verified, not the one the header named', async () => {
    const h = makeHarness(w)
    const identity = await h.validator.validate(actor(w.exchange, {}, { x5t: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA' }))
    expect(identity.x5t).toBe(w.exchange.cert.x5t)
  })

  it('accepts a rotated certificate after one refetch installs it', async () => {
    const partner = await makeTestPartner()
    const oldKey = w.keyOf(partner.cert)
    await partner.rotate()
    const newKey = w.keyOf(partner.cert)
    const h = makeHarness(w, { exchange: { keys: [oldKey], refetch: () => [newKey, oldKey] } })
    expect((await h.validator.validate(actor(partner))).x5t).toBe(newKey.x5t)
    expect(h.exchange.calls.refetchOnMiss).toBe(1)
    expect((await h.validator.validate(actor(partner, { exp: NOW + 3599 }))).x5t).toBe(newKey.x5t)
    expect(h.exchange.calls.refetchOnMiss).toBe(1) // the new key is known now
  })

  it('refuses when the refetch is suppressed (cooldown) or still lacks the key', async () => {
    const h = makeHarness(w, { exchange: { keys: [w.keyOf(w.gateway)] } })
    await expect(h.validator.validate(actor(w.exchange))).rejects.toMatchObject({ reason: 'signature', detail: { partner: 'exchange', x5t: w.exchange.cert.x5t } })
    expect(h.exchange.calls.refetchOnMiss).toBe(1)
    const h2 = makeHarness(w, { exchange: { keys: [w.keyOf(w.gateway)], refetch: () => [w.keyOf(w.rogue)] } })
    await expect(h2.validator.validate(actor(w.exchange))).rejects.toMatchObject({ reason: 'signature' })
    expect(h2.exchange.calls.refetchOnMiss).toBe(1)
  })

  it('spends no refetch on a stripped signature', async () => {
    const h = makeHarness(w)
    await expect(h.validator.validate(actor(w.exchange).replace(/\.[^.]*$/, '.'))).rejects.toMatchObject({ reason: 'signature' })
    expect(h.exchange.calls.refetchOnMiss).toBe(0)
  })

  it('answers 503 with Retry-After detail when the partner has no usable keys', async () => {
    const h = makeHarness(w, { exchange: { keys: undefined, retryAfterSec: 17 } })
    const err = (await h.validator.validate(actor(w.exchange)).catch((e: unknown) => e)) as GatewayError
    expect({ code: err.code, status: err.status, detail: err.detail }).toEqual({
      code: 'GW_PARTNER_UNAVAILABLE',
      status: 503,
      detail: { partner: 'exchange', retryAfterSec: 17 },
    })
    expect(h.exchange.calls.ensureLoaded).toBe(1)
  })

  it('waits for the initial load when keys are not there yet', async () => {
    const h = makeHarness(w, { exchange: { keys: undefined, load: () => [w.keyOf(w.exchange.cert)] } })
    expect((await h.validator.validate(actor(w.exchange))).partner).toBe('exchange')
  })

  it('refuses a key-free 401 reason before asking for keys', async () => {
    const h = makeHarness(w, { exchange: { keys: undefined } })
    await expect(h.validator.validate(actor(w.exchange, { aud: 'x/y@z' }))).rejects.toMatchObject({ reason: 'aud_principal' })
    expect(h.exchange.calls.ensureLoaded).toBe(0)
  })
})

describe('unknown issuers while a metadata partner is not identified yet', () => {
  const STRANGER = '11111111-2222-3333-4444-555555555555'
  const unidentified = () => fakePartner({ name: 'sp', id: STRANGER, realm: REALM, keys: undefined, unidentified: true, retryAfterSec: 9 })

  it('loads partners once, then accepts when the issuer turns out to be theirs', async () => {
    const h = makeHarness(w)
    const sp = fakePartner({ name: 'sp', id: STRANGER, realm: REALM, keys: [w.keyOf(w.exchange.cert)], unidentified: true })
    h.registry.put(sp)
    h.registry.onLoadAll = () => sp.setIdentified(true)
    const iss = `${STRANGER}@${REALM}`
    expect((await h.validator.validate(actor(w.exchange, { iss, nameid: iss }))).partner).toBe('sp')
    expect(h.registry.calls.loadAll).toBe(1)
  })

  it('answers 503 when the issuer is unknown and a partner is still unidentified', async () => {
    const h = makeHarness(w)
    h.registry.put(unidentified())
    const iss = `22222222-2222-3333-4444-555555555555@${REALM}`
    const err = (await h.validator.validate(actor(w.exchange, { iss, nameid: iss })).catch((e: unknown) => e)) as GatewayError
    expect({ code: err.code, detail: err.detail }).toEqual({ code: 'GW_PARTNER_UNAVAILABLE', detail: { retryAfterSec: 9 } })
    expect(h.registry.calls.loadAll).toBe(1)
  })

  it('refuses as issuer_unknown once every partner is identified', async () => {
    const h = makeHarness(w)
    const sp = unidentified()
    h.registry.put(sp)
    h.registry.onLoadAll = () => sp.setIdentified(true)
    const iss = `22222222-2222-3333-4444-555555555555@${REALM}`
    await expect(h.validator.validate(actor(w.exchange, { iss, nameid: iss }))).rejects.toMatchObject({ reason: 'issuer_unknown' })
  })

  it('does not load partners for a known issuer', async () => {
    const h = makeHarness(w)
    h.registry.put(unidentified())
    await h.validator.validate(actor(w.exchange, { iss: `${EXCHANGE_ID}@${REALM}` }))
    expect(h.registry.calls.loadAll).toBe(0)
  })
})
