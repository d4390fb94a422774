// Unit: who our outbound tokens are for (docs/PROTOCOL.md §2.5, §5.5): the registered principal (a challenge only confirms
// it), the realm from the partner's challenge, else its metadata identity, else config; challenge values that could
// not be one part of aud are ignored; "*" never in aud; the issuer realm override.
import { describe, expect, it } from 'vitest'
import type { PartnerConfig, PartnerOutboundConfig } from '../../../src/schema/types.js'
import { resolveTarget, type TargetInputs } from '../../../src/outbound/target.js'

const US = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'
const EX = '00000002-0000-0ff1-ce00-000000000000'
const outbound: PartnerOutboundConfig = { url: 'https://mail.contoso.com', audienceHost: 'mail.contoso.com', issuerRealm: 'contoso.com', tokenLifetimeSec: 3600, actAsUsers: false, timeoutMs: 1000, dateFormat: 'number' }
const config = (extra: Partial<PartnerConfig> = {}): PartnerConfig =>
  ({ name: 'exchange', metadataUrl: 'https://a/metadata/json/1', trustLevel: 'full', acceptSid: false, allowHttp: false, tls: { insecureSkipVerify: false }, ...extra })

const inputs = (over: Partial<TargetInputs>): TargetInputs => ({ serviceId: US.toUpperCase(), config: config(), outbound, challenge: undefined, identity: undefined, ...over })

describe('resolveTarget', () => {
  it('uses the metadata identity, our service id and issuer realm', () => {
    expect(resolveTarget(inputs({ identity: { id: EX, realm: 'contoso.com' } }), false)).toEqual({
      principal: EX, realm: 'contoso.com', host: 'mail.contoso.com', audience: `${EX}/mail.contoso.com@contoso.com`,
      issuer: `${US}@contoso.com`, principalFrom: 'metadata', realmFrom: 'metadata',
    })
  })

  it('takes the realm from the challenge, and the principal only when the challenge confirms the registered one', () => {
    const t = resolveTarget(inputs({ challenge: { realm: 'Fabrikam.com' }, identity: { id: EX, realm: 'contoso.com' } }), false)
    expect([t?.audience, t?.principalFrom, t?.realmFrom]).toEqual([`${EX}/mail.contoso.com@fabrikam.com`, 'metadata', 'challenge'])
    const u = resolveTarget(inputs({ challenge: { clientId: 'ABC', realm: 'r' }, identity: { id: EX, realm: 'contoso.com' } }), false)
    expect([u?.audience, u?.principalFrom]).toEqual([`${EX}/mail.contoso.com@r`, 'metadata'])
    const v = resolveTarget(inputs({ challenge: { clientId: EX.toUpperCase(), realm: 'r' }, identity: { id: EX, realm: 'contoso.com' } }), false)
    expect([v?.audience, v?.principalFrom]).toEqual([`${EX}/mail.contoso.com@r`, 'challenge'])
  })

  it('names the principal from the challenge only when nothing registered does', () => {
    expect(resolveTarget(inputs({ challenge: { clientId: 'ABC', realm: 'r' } }), false)?.audience).toBe('abc/mail.contoso.com@r')
    expect(resolveTarget(inputs({ challenge: { clientId: '*', realm: 'r' } }), true)).toBeUndefined()
  })

  it.each([
    ['"*"', '*'], ['"@"', 'evil.example@contoso.com'], ['"/"', 'contoso.com/evil.example'], ['a quote and a comma', 'a",client_id="b'],
    ['a tab', 'contoso.com\tx'], ['a space', 'contoso .com'], ['a backslash', 'contoso\\com'], ['256 characters', `${'r'.repeat(252)}.com`],
  ])('ignores a challenge realm or client_id with %s', (_label, value) => {
    const t = resolveTarget(inputs({ challenge: { clientId: value, realm: value }, identity: { id: EX, realm: 'contoso.com' } }), false)
    expect([t?.audience, t?.principalFrom, t?.realmFrom]).toEqual([`${EX}/mail.contoso.com@contoso.com`, 'metadata', 'metadata'])
    expect(resolveTarget(inputs({ challenge: { clientId: value, realm: 'contoso.com' } }), true)).toBeUndefined()
  })

  it('falls back to config, labelled as such for a partner without metadata', () => {
    const t = resolveTarget(inputs({ config: config({ metadataUrl: undefined as never, applicationId: EX, realm: 'contoso.com' }), identity: { id: EX, realm: 'contoso.com' } }), false)
    expect([t?.principalFrom, t?.realmFrom]).toEqual(['config', 'config'])
    const v = resolveTarget(inputs({ config: config({ applicationId: EX, realm: 'contoso.com' }) }), false)
    expect(v?.audience).toBe(`${EX}/mail.contoso.com@contoso.com`)
  })

  it('needs discovery while the realm is unknown or "*", and then falls back to our issuer realm only for "*"', () => {
    expect(resolveTarget(inputs({ identity: { id: EX, realm: '*' } }), false)).toBeUndefined()
    expect(resolveTarget(inputs({ identity: { id: EX, realm: '*' } }), true)?.audience).toBe(`${EX}/mail.contoso.com@contoso.com`)
    expect(resolveTarget(inputs({ identity: { id: EX, realm: '*' }, challenge: { realm: '*' } }), true)?.realmFrom).toBe('issuer-realm')
    expect(resolveTarget(inputs({ config: config({ applicationId: EX }) }), true)).toBeUndefined()
    expect(resolveTarget(inputs({}), true)).toBeUndefined()
  })

  it('puts the per-partner issuer realm in iss', () => {
    const t = resolveTarget(inputs({ outbound: { ...outbound, issuerRealm: 'sp-realm-guid' }, identity: { id: EX, realm: 'contoso.com' } }), false)
    expect(t?.issuer).toBe(`${US}@sp-realm-guid`)
  })
})
