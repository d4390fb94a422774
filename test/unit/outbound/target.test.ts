// Unit: who our outbound tokens are for (PROTOCOL.md §2.5, §5.5): principal and realm from the partner's challenge,
// else its metadata identity, else config; "*" never in aud; the issuer realm override.
import { describe, expect, it } from 'vitest'
import type { PartnerConfig, PartnerOutboundConfig } from '../../../src/config/types.js'
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

  it('prefers what the challenge says, part by part', () => {
    const t = resolveTarget(inputs({ challenge: { realm: 'Fabrikam.com' }, identity: { id: EX, realm: 'contoso.com' } }), false)
    expect([t?.audience, t?.principalFrom, t?.realmFrom]).toEqual([`${EX}/mail.contoso.com@fabrikam.com`, 'metadata', 'challenge'])
    const u = resolveTarget(inputs({ challenge: { clientId: 'ABC', realm: 'r' }, identity: { id: EX, realm: 'contoso.com' } }), false)
    expect(u?.audience).toBe('abc/mail.contoso.com@r')
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
