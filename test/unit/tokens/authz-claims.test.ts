// Unit: the key-free checks and claim mapping of authorization-server tokens (issue 7, docs/PROTOCOL.md §6): iss, aud
// (ours, realm = iss realm), the acting application from actor or nameid, the user claims and nii fallback.
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/errors/index.js'
import { checkAuthzClaims } from '../../../src/tokens/authz-claims.js'
import { createValidationSettings } from '../../../src/tokens/settings.js'
import { EXCHANGE_ID, PUBLIC_HOST, REALM, SERVICE_ID } from '../../helpers/tokens.js'
import { NOW, SIP_REALM, service, tokens } from './world.js'

const ACS = '00000001-0000-0000-c000-000000000000'
const settings = createValidationSettings(service, tokens)
const AUD = `${SERVICE_ID}/${PUBLIC_HOST}@${REALM}`
const app = (over: Record<string, unknown> = {}) => ({
  aud: AUD, iss: `${ACS}@${REALM}`, nbf: NOW - 60, exp: NOW + 3600, nameid: `${EXCHANGE_ID}@${REALM}`,
  trustedfordelegation: 'false', identityprovider: `${ACS}@${REALM}`, ...over,
})
const user = (over: Record<string, unknown> = {}) => {
  const { nameid: _n, trustedfordelegation: _t, ...rest } = app()
  return { ...rest, nameid: '10037ffe8abc1234', actor: `${EXCHANGE_ID}@${REALM}`, identityprovider: 'urn:federation:microsoftonline', ...over }
}

function reasonOf(payload: Record<string, unknown>): string | undefined {
  try {
    checkAuthzClaims(payload, settings, NOW)
    return undefined
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    return err.reason
  }
}

describe('checkAuthzClaims: what is accepted and how it maps', () => {
  it('reads an app-only token: the application is nameid, no user', () => {
    expect(checkAuthzClaims(app(), settings, NOW)).toEqual({
      issuer: { id: ACS, realm: REALM }, client: { id: EXCHANGE_ID, realm: REALM }, user: undefined, time: { nbf: NOW - 60, exp: NOW + 3600 },
    })
  })

  it('reads a user token: the application is actor, nameid is the user, identityprovider stands in for nii', () => {
    const claims = checkAuthzClaims(user({ upn: 'alice@contoso.com', smtp: 'alice.smith@contoso.com', sip: 'alice@contoso.com' }), settings, NOW)
    expect(claims.client).toEqual({ id: EXCHANGE_ID, realm: REALM })
    expect(claims.user).toEqual({
      nameid: '10037ffe8abc1234', nii: 'urn:federation:microsoftonline', upn: 'alice@contoso.com', smtp: 'alice.smith@contoso.com', sip: 'alice@contoso.com',
    })
  })

  it('keeps a nii the token sends over identityprovider', () => {
    expect(checkAuthzClaims(user({ nii: 'urn:office:idp:orgid' }), settings, NOW).user?.nii).toBe('urn:office:idp:orgid')
  })

  it('leaves nii out when neither nii nor identityprovider is sent', () => {
    const { identityprovider: _i, ...bare } = user()
    expect(checkAuthzClaims(bare, settings, NOW).user).toEqual({ nameid: '10037ffe8abc1234' })
  })

  it('compares case-insensitively and stores lowercase', () => {
    const claims = checkAuthzClaims(app({ iss: `${ACS}@CONTOSO.COM`, nameid: `${EXCHANGE_ID.toUpperCase()}@Contoso.com`, aud: AUD.toUpperCase() }), settings, NOW)
    expect([claims.issuer, claims.client]).toEqual([{ id: ACS, realm: REALM }, { id: EXCHANGE_ID, realm: REALM }])
  })

  it('accepts string dates, like other S2S tokens', () => {
    expect(checkAuthzClaims(app({ nbf: String(NOW - 60), exp: String(NOW + 60) }), settings, NOW).time).toEqual({ nbf: NOW - 60, exp: NOW + 60 })
  })

  it('accepts a realm alias when iss and aud both name it', () => {
    const claims = checkAuthzClaims(app({ iss: `${ACS}@${SIP_REALM}`, aud: `${SERVICE_ID}/${PUBLIC_HOST}@${SIP_REALM}`, nameid: `${EXCHANGE_ID}@${SIP_REALM}` }), settings, NOW)
    expect(claims.issuer.realm).toBe(SIP_REALM)
  })
})

describe('checkAuthzClaims: what is refused, and why', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['iss without a realm', app({ iss: ACS }), 'issuer_malformed'],
    ['iss realm "*"', app({ iss: `${ACS}@*` }), 'issuer_realm'],
    ['aud without a host', app({ aud: `${SERVICE_ID}@${REALM}` }), 'aud_malformed'],
    ['aud for another service', app({ aud: `${EXCHANGE_ID}/${PUBLIC_HOST}@${REALM}` }), 'aud_principal'],
    ['aud for another host', app({ aud: `${SERVICE_ID}/other.contoso.com@${REALM}` }), 'aud_host'],
    ['aud in a realm not ours', app({ aud: `${SERVICE_ID}/${PUBLIC_HOST}@fabrikam.com` }), 'aud_realm'],
    ['aud realm other than iss realm (both ours)', app({ aud: `${SERVICE_ID}/${PUBLIC_HOST}@${SIP_REALM}` }), 'issuer_realm'],
    ['iss realm not ours, aud matching it', app({ iss: `${ACS}@fabrikam.com`, aud: `${SERVICE_ID}/${PUBLIC_HOST}@fabrikam.com` }), 'aud_realm'],
    ['an app-only token without nameid', app({ nameid: undefined }), 'nameid'],
    ['an app-only nameid that is no principal', app({ nameid: EXCHANGE_ID }), 'nameid'],
    ['an app-only nameid in another realm', app({ nameid: `${EXCHANGE_ID}@${SIP_REALM}` }), 'authz_actor'],
    ['an actor that is no principal', user({ actor: EXCHANGE_ID }), 'authz_actor'],
    ['an actor in another realm', user({ actor: `${EXCHANGE_ID}@fabrikam.com` }), 'authz_actor'],
    ['an actor that is not a string', user({ actor: 42 }), 'authz_actor'],
    ['a user token without nameid', user({ nameid: undefined, upn: 'alice@contoso.com' }), 'user_claims'],
    ['a user claim that is not a string', user({ upn: ['alice'] }), 'user_claims'],
    ['a control character in a user claim', user({ upn: 'alice\n@contoso.com' }), 'claim_value'],
    ['a control character in identityprovider', user({ identityprovider: 'urn:x\r\n' }), 'claim_value'],
    ['a control character in the actor', user({ actor: `${EXCHANGE_ID}\t@${REALM}` }), 'authz_actor'],
    ['expired', app({ nbf: NOW - 7200, exp: NOW - 3600 }), 'expired'],
    ['not yet valid', app({ nbf: NOW + 3600, exp: NOW + 7200 }), 'not_yet_valid'],
    ['longer than maxLifetimeSec', app({ nbf: NOW - 60, exp: NOW + 100_000 }), 'lifetime'],
    ['no exp', app({ exp: undefined }), 'time_malformed'],
  ])('%s → %s', (_label, payload, reason) => {
    expect(reasonOf(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>)).toBe(reason)
  })
})
