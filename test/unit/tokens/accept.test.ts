// Tokens built the way real senders build them (docs/PROTOCOL.md §2.2-2.4, §3): accepted, with the right Identity.
import { beforeAll, describe, expect, it } from 'vitest'
import { extractBearer } from '../../../src/tokens/index.js'
import { EXCHANGE_ID, PUBLIC_HOST, REALM, SERVICE_ID, wrapRaw } from '../../helpers/tokens.js'
import { actor, makeHarness, makeWorld, NOW, SIP_REALM, SKEW, times, userToken, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await makeWorld()
})

const aud = (host: string, realm = REALM, id = SERVICE_ID): string => `${id}/${host}@${realm}`

describe('accepts app-only actor tokens as real senders build them', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>?]>([
    ['numeric nbf/exp', {}],
    ['string nbf/exp ([MS-XOAUTH], old SharePoint)', { nbf: String(times.nbf), exp: String(times.exp) }],
    ['Exchange 24 h span: nbf = now, exp = now + 24 h', { nbf: NOW, exp: NOW + 86_400, trustedfordelegation: 'true' }],
    ['node-sp-auth: nbf = now − 12 h, exp = now + 12 h, boolean trustedfordelegation', { nbf: NOW - 43_200, exp: NOW + 43_200, trustedfordelegation: true }],
    ['TokenHelper app-only: no trustedfordelegation', { trustedfordelegation: undefined }],
    ['ACS-style "false" delegation on app-only', { trustedfordelegation: 'false' }],
    ['iat and unknown claims ignored', { iat: NOW, identityprovider: 'x', ver: '1.0' }],
    ['aud with :443 (node url.parse keeps it)', { aud: aud(`${PUBLIC_HOST}:443`) }],
    ['aud with :80', { aud: aud(`${PUBLIC_HOST}:80`) }],
    ['aud with a significant port listed in publicHosts', { aud: aud('gw.contoso.com:8443') }],
    ['aud host and service id in upper case', { aud: aud('GW.CONTOSO.COM', 'CONTOSO.COM', SERVICE_ID.toUpperCase()) }],
    ['aud IDN host, compared in punycode', { aud: aud('bücher.example') }],
    ['aud realm is a realm alias', { aud: aud(PUBLIC_HOST, SIP_REALM) }],
    ['iss and nameid in upper case', { iss: `${EXCHANGE_ID.toUpperCase()}@CONTOSO.COM`, nameid: `${EXCHANGE_ID}@contoso.com` }],
    ['nbf exactly now + skew', { nbf: NOW + SKEW, exp: NOW + 3600 }],
    ['exp exactly now − skew + 1', { nbf: NOW - 3600, exp: NOW - SKEW + 1 }],
    ['lifetime exactly at the cap', { nbf: NOW - 100, exp: NOW - 100 + 90_000 }],
    ['12-digit string dates are still numbers', { nbf: '00' + String(times.nbf), exp: '00' + String(times.exp) }],
    ['no x5t, signed right (every partner key is tried)', {}, { x5t: undefined }],
    ['kid = uppercase hex thumbprint, ignored', {}, { kid: 'A33E4C629AE9553E186F93474E796D598B1F7424' }],
    ['kid with an arbitrary value, ignored', {}, { kid: 'mH-TTlt-HAXC9-vjKVFtX6bAsR0' }],
    ['typ absent', {}, { typ: undefined }],
    ['typ in lower case', {}, { typ: 'jwt' }],
  ])('%s', async (_name, claims, header = {}) => {
    const h = makeHarness(w)
    const identity = await h.validator.validate(actor(w.exchange, claims, header))
    expect(identity).toMatchObject({ partner: 'exchange', partnerId: EXCHANGE_ID, realm: REALM, authType: 'app', trustLevel: 'full', x5t: w.exchange.cert.x5t })
    expect(identity.user).toBeUndefined()
  })

  it('reads the bearer scheme in lower case and returns the full Identity', async () => {
    const h = makeHarness(w)
    const token = extractBearer(`bearer ${actor(w.exchange, { iss: `${EXCHANGE_ID}@Contoso.Com`, nameid: `${EXCHANGE_ID}@contoso.com` })}`)
    expect(await h.validator.validate(token as string)).toEqual({
      partner: 'exchange',
      partnerId: EXCHANGE_ID,
      realm: 'contoso.com',
      trustLevel: 'full',
      authType: 'app',
      x5t: w.exchange.cert.x5t,
      notBefore: times.nbf,
      expiresAt: times.exp,
    })
  })

  it("accepts a multi-tenant partner (realm '*') asserting one of our realms", async () => {
    const h = makeHarness(w, { exchange: { realm: '*' } })
    for (const realm of [REALM, SIP_REALM]) {
      const iss = `${EXCHANGE_ID}@${realm}`
      const identity = await h.validator.validate(actor(w.exchange, { iss, nameid: iss }))
      expect(identity.realm).toBe(realm)
    }
    const foreign = `${EXCHANGE_ID}@fabrikam.com`
    await expect(h.validator.validate(actor(w.exchange, { iss: foreign, nameid: foreign }))).rejects.toMatchObject({ reason: 'issuer_realm' })
  })
})

describe('accepts user-context tokens as real senders build them', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, object]>([
    ['Exchange: string delegation, upn + smtp + sip', { upn: 'alice@contoso.com', smtp: 'alice@contoso.com', sip: 'alice@contoso.com' }, {}, {}, { upn: 'alice@contoso.com', smtp: 'alice@contoso.com', sip: 'alice@contoso.com' }],
    ['boolean trustedfordelegation', { smtp: 'bob@contoso.com' }, {}, { trustedfordelegation: true }, { smtp: 'bob@contoso.com' }],
    ['"TRUE" in upper case', { sip: 'carol@contoso.com' }, {}, { trustedfordelegation: 'TRUE' }, { sip: 'carol@contoso.com' }],
    ['string dates in both tokens', { upn: 'a@contoso.com' }, { nbf: String(times.nbf), exp: String(times.exp) }, { nbf: String(times.nbf), exp: String(times.exp) }, { upn: 'a@contoso.com' }],
    ['nameid without nii is a UPN and is kept', { nameid: 'alice@contoso.com' }, {}, {}, { nameid: 'alice@contoso.com' }],
    ['SID nameid dropped (no acceptSid), upn kept', { nameid: 's-1-5-21-1-2-3-1001', nii: 'urn:office:idp:activedirectory', upn: 'alice@contoso.com' }, {}, {}, { upn: 'alice@contoso.com' }],
    ['SID nii compared case-insensitively', { nameid: 's-1-5-21-1', nii: 'URN:Office:IdP:ActiveDirectory', smtp: 'a@contoso.com' }, {}, {}, { smtp: 'a@contoso.com' }],
    ['SAML nii kept with its nameid', { nameid: 'alice', nii: 'trusted:adfs' }, {}, {}, { nameid: 'alice', nii: 'trusted:adfs' }],
    ['empty claims dropped, others kept', { upn: '', smtp: 'a@contoso.com' }, {}, {}, { smtp: 'a@contoso.com' }],
    ['non-ASCII values accepted (identity/ encodes them)', { upn: 'zoë@contoso.com' }, {}, {}, { upn: 'zoë@contoso.com' }],
    ['outer iss/aud differ from the actor only in case', { upn: 'a@contoso.com' }, { iss: `${EXCHANGE_ID.toUpperCase()}@CONTOSO.com`, aud: `${SERVICE_ID}/GW.contoso.com@Contoso.com` }, {}, { upn: 'a@contoso.com' }],
  ])('%s', async (_name, user, outer, actorClaims, expected) => {
    const h = makeHarness(w)
    const identity = await h.validator.validate(userToken(w.exchange, user, outer, actorClaims))
    expect(identity).toMatchObject({ partner: 'exchange', authType: 'user', trustLevel: 'full' })
    expect(identity.user).toEqual(expected)
  })

  it.each([['none'], ['None'], ['NONE']])('outer alg %s', async (alg) => {
    const h = makeHarness(w)
    const iss = w.exchange.issuer
    const token = wrapRaw({ aud: aud(PUBLIC_HOST), iss, ...times, upn: 'a@contoso.com', actortoken: actor(w.exchange) }, { typ: 'JWT', alg })
    expect((await h.validator.validate(token)).authType).toBe('user')
  })

  it('keeps a SID nameid for a partner with acceptSid', async () => {
    const h = makeHarness(w, { exchange: { acceptSid: true } })
    const user = { nameid: 's-1-5-21-1-2-3-1001', nii: 'urn:office:idp:activedirectory' }
    expect((await h.validator.validate(userToken(w.exchange, user))).user).toEqual(user)
  })

  it('takes the effective window as max(nbf) and min(exp) of both tokens', async () => {
    const h = makeHarness(w)
    const token = userToken(w.exchange, { upn: 'a@contoso.com' }, { nbf: NOW - 100, exp: NOW + 600 }, { nbf: NOW - 200, exp: NOW + 86_000 })
    expect(await h.validator.validate(token)).toMatchObject({ notBefore: NOW - 100, expiresAt: NOW + 600 })
  })

  it('logs an actort claim and otherwise ignores it', async () => {
    const warnings: object[] = []
    const logger = { debug() {}, info() {}, error() {}, warn: (obj: object) => void warnings.push(obj) }
    const h = makeHarness(w, { logger })
    await h.validator.validate(userToken(w.exchange, { upn: 'a@contoso.com' }, { actort: 'eyJ.x.y' }))
    expect(warnings).toEqual([{ claim: 'actort' }])
  })

  it('accepts app-only tokens from an application-trust partner', async () => {
    const h = makeHarness(w)
    expect(await h.validator.validate(actor(w.lync))).toMatchObject({ partner: 'lync', trustLevel: 'application', authType: 'app' })
  })
})
