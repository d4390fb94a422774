// Unit: the tokens we mint for partners (docs/PROTOCOL.md §2.5, §3) and their cache: exact header and claims, reuse
// until exp - 5 min, one entry per user, and a new signer (rotation) never getting an old token.
import { generateKeyPairSync, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createOutboundTokenCache } from '../../../src/outbound/outbound-token-cache.js'
import { createOutboundTokenIssuer, userSubject, type OutboundTokenRequest } from '../../../src/outbound/outbound-tokens.js'
import type { TokenSigner } from '../../../src/issuer/mint.js'

const signer = (x5t: string): TokenSigner => ({ privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, x5t })
const A = signer('x5t-A-aaaaaaaaaaaaaaaaaaaaaa')
const B = signer('x5t-B-bbbbbbbbbbbbbbbbbbbbbb')
const T0 = 1_800_000_000_000
/** outbound.tokenCacheMaxEntries and outbound.tokenRefreshBeforeExpirySec, at their defaults. */
const LIMITS = { maxEntries: 10_000, refreshBeforeExpirySec: 300 }
const request: OutboundTokenRequest = { partner: 'sp', issuer: 'us@contoso.com', audience: 'sp-id/sp.contoso.com@contoso.com', lifetimeSec: 3600, dateFormat: 'number' }
const part = (token: string, i: number): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[i] ?? '', 'base64url').toString()) as Record<string, unknown>

function issuerAt(clock: { ms: number }, s = A, issued: string[] = []) {
  return createOutboundTokenIssuer({ signer: s, now: () => clock.ms, cache: createOutboundTokenCache(LIMITS), onIssued: (p, t) => issued.push(`${p}:${t}`) })
}

describe('createOutboundTokenIssuer', () => {
  it('mints an app-only actor token: RS256, x5t, no kid, iss = nameid, numeric nbf = now - 300, no trustedfordelegation', async () => {
    const t = await issuerAt({ ms: T0 }).issue(request)
    expect(part(t.token, 0)).toEqual({ typ: 'JWT', alg: 'RS256', x5t: A.x5t })
    expect(part(t.token, 1)).toEqual({ aud: request.audience, iss: 'us@contoso.com', nameid: 'us@contoso.com', nbf: T0 / 1000 - 300, exp: T0 / 1000 + 3600 })
    const [h, p, s] = t.token.split('.')
    const publicKey = (await import('node:crypto')).createPublicKey(A.privateKey)
    expect(verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s ?? '', 'base64url'))).toBe(true)
    expect([t.authType, t.minted, t.x5t]).toEqual(['app', true, A.x5t])
  })

  it('writes decimal strings when the partner needs them', async () => {
    const t = await issuerAt({ ms: T0 }).issue({ ...request, dateFormat: 'string' })
    expect(part(t.token, 1)).toMatchObject({ nbf: String(T0 / 1000 - 300), exp: String(T0 / 1000 + 3600) })
  })

  it('wraps a delegating actor token for a user, with the same audience, issuer and lifetime', async () => {
    const t = await issuerAt({ ms: T0 }).issue({ ...request, user: { upn: 'alice@contoso.com', smtp: 'alice@contoso.com' } })
    expect(part(t.token, 0)).toEqual({ typ: 'JWT', alg: 'none' })
    expect(t.token.endsWith('.')).toBe(true)
    const outer = part(t.token, 1)
    expect(outer).toMatchObject({ aud: request.audience, iss: 'us@contoso.com', upn: 'alice@contoso.com', smtp: 'alice@contoso.com', nbf: T0 / 1000 - 300, exp: T0 / 1000 + 3600 })
    expect(part(String(outer['actortoken']), 1)).toMatchObject({ trustedfordelegation: 'true', nameid: 'us@contoso.com' })
    expect(t.authType).toBe('user')
  })

  it('cached: what issue would serve from the cache, without signing; nothing before a token exists or once it must be replaced', async () => {
    const clock = { ms: T0 }
    const issued: string[] = []
    const issuer = issuerAt(clock, A, issued)
    const user = { ...request, user: { upn: 'alice@contoso.com' } }
    expect([issuer.cached(request), issuer.cached(user)]).toEqual([undefined, undefined])
    const app = await issuer.issue(request)
    const outer = await issuer.issue(user)
    expect(issuer.cached(request)).toEqual({ ...app, minted: false })
    expect(issuer.cached(user)).toEqual({ ...outer, minted: false })
    expect(issuer.cached({ ...request, user: { upn: 'bob@contoso.com' } })).toBeUndefined()
    expect(issuer.cached({ ...request, audience: 'other/sp.contoso.com@contoso.com' })).toBeUndefined()
    clock.ms = T0 + (3600 - 300) * 1000
    expect(issuer.cached(request)).toBeUndefined()
    clock.ms = T0
    issuer.forgetPartner('sp')
    expect(issuer.cached(user)).toBeUndefined()
    expect(issued).toEqual(['sp:app', 'sp:user'])
  })

  it('reuses a token until 5 minutes before exp, then mints a new one', async () => {
    const clock = { ms: T0 }
    const issued: string[] = []
    const issuer = issuerAt(clock, A, issued)
    const first = await issuer.issue(request)
    clock.ms = T0 + (3600 - 301) * 1000
    expect((await issuer.issue(request)).token).toBe(first.token)
    clock.ms = T0 + (3600 - 300) * 1000
    const renewed = await issuer.issue(request)
    expect(renewed.token).not.toBe(first.token)
    expect(issued).toEqual(['sp:app', 'sp:app'])
  })

  it('keeps one token per user, audience and partner, and counts users separately from the shared actor', async () => {
    const issued: string[] = []
    const issuer = issuerAt({ ms: T0 }, A, issued)
    const alice = await issuer.issue({ ...request, user: { upn: 'alice@contoso.com' } })
    const bob = await issuer.issue({ ...request, user: { upn: 'bob@contoso.com' } })
    expect(bob.token).not.toBe(alice.token)
    expect((await issuer.issue({ ...request, user: { upn: 'alice@contoso.com' } })).minted).toBe(false)
    expect((await issuer.issue({ ...request, audience: 'sp-id/other@contoso.com' })).minted).toBe(true)
    expect((await issuer.issue({ ...request, partner: 'other' })).minted).toBe(true)
    expect(issued).toEqual(['sp:user', 'sp:user', 'sp:app', 'other:app'])
  })

  it('never serves a token signed by another key from a shared cache (our certificate rotated)', async () => {
    const cache = createOutboundTokenCache(LIMITS)
    const clock = { ms: T0 }
    const old = await createOutboundTokenIssuer({ signer: A, now: () => clock.ms, cache }).issue(request)
    const fresh = await createOutboundTokenIssuer({ signer: B, now: () => clock.ms, cache }).issue(request)
    expect(fresh.minted).toBe(true)
    expect(part(fresh.token, 0)['x5t']).toBe(B.x5t)
    expect(fresh.token).not.toBe(old.token)
  })

  it('forgets a partner on request', async () => {
    const issuer = issuerAt({ ms: T0 })
    await issuer.issue(request)
    issuer.forgetPartner('sp')
    expect((await issuer.issue(request)).minted).toBe(true)
  })
})

describe('createOutboundTokenCache', () => {
  it('is bounded', () => {
    const cache = createOutboundTokenCache({ ...LIMITS, maxEntries: 2 })
    for (const subject of ['a', 'b', 'c']) cache.set({ partner: 'p', audience: 'a', issuer: 'i', x5t: 'x', subject }, { token: subject, nbf: 0, exp: 10_000, x5t: 'x' })
    expect(cache.size()).toBe(2)
    expect(cache.get({ partner: 'p', audience: 'a', issuer: 'i', x5t: 'x', subject: 'a' }, 100)).toBeUndefined()
  })

  it('keys users by every claim', () => {
    expect(userSubject({ upn: 'a' })).not.toBe(userSubject({ smtp: 'a' }))
    expect(userSubject({ upn: 'a', smtp: 'b' })).toBe(userSubject({ smtp: 'b', upn: 'a' }))
  })
})
