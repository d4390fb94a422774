// Unit: the validator with authorization servers (issue 7), wired to the real registry and server set with an
// injected metadata fetcher and a fixed clock: the Identity of app-only and user tokens, trust and SID rules,
// tenant and multi-tenant servers of one issuer id, the token cache, and a server whose metadata is down.
import { beforeAll, describe, expect, it } from 'vitest'
import { createAuthorizationServers } from '../../../src/auth-servers/index.js'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../../src/certs/create.js'
import type { AuthorizationServerConfig, GatewayConfig, PartnerConfig } from '../../../src/schema/types.js'
import { GatewayError } from '../../../src/errors/index.js'
import { createPartnerRegistry, MetadataFetchError } from '../../../src/partners/index.js'
import { createTokenValidator, type TokenValidator } from '../../../src/tokens/index.js'
import type { Identity } from '../../../src/identity/types.js'
import { EXCHANGE_ID, PUBLIC_HOST, REALM, SERVICE_ID, makeTestPartner, signRaw, type TestPartner } from '../../helpers/tokens.js'
import { NOW, SIP_REALM, service, tokens, times } from './world.js'

const ACS = '00000001-0000-0000-c000-000000000000'
const HR_ID = '11111111-2222-3333-4444-555555555555'
const LYNC_ID = '00000004-0000-0ff1-ce00-000000000000'
const TENANT_URL = 'https://acs.test/contoso.com/metadata/json/1'
const GLOBAL_URL = 'https://acs.test/metadata/json/1'
const METADATA: GatewayConfig['metadata'] = { refreshIntervalSec: 3600, refreshJitterPercent: 10, firstRetryMs: 30_000, refetchCooldownSec: 60, maxStaleSec: 604_800, timeoutMs: 1000, maxBytes: 1_048_576 }

let tenantCert: CreatedCertificate
let globalCert: CreatedCertificate
let hr: TestPartner

beforeAll(async () => {
  ;[tenantCert, globalCert, hr] = await Promise.all([
    createSelfSignedCertificate({ subject: 'CN=acs tenant' }),
    createSelfSignedCertificate({ subject: 'CN=acs global' }),
    makeTestPartner({ id: HR_ID }),
  ])
})

const doc = (realm: string, cert: CreatedCertificate) => ({
  issuer: `${ACS}@${realm}`,
  keys: [{ usage: 'signing', keyValue: { type: 'x509Certificate', value: cert.der.toString('base64') } }],
  endpoints: [{ location: `https://acs.test/${realm}/tokens/OAuth/2`, protocol: 'OAuth2', usage: 'issuance' }],
})

const server = (name: string, metadataUrl: string): AuthorizationServerConfig => ({ name, metadataUrl, allowHttp: false, tls: { insecureSkipVerify: false } })
const viaServer = (name: string, applicationId: string, authorizationServer: string, extra: Partial<PartnerConfig> = {}): PartnerConfig => ({
  name, applicationId, realm: REALM, authorizationServer, trustLevel: 'full', acceptSid: false, allowHttp: false, tls: { insecureSkipVerify: false }, ...extra,
})

interface Setup {
  validator: TokenValidator
  clock: { nowMs: number }
  docs: Map<string, unknown>
  fetches: string[]
  cacheHits: boolean[]
}

function setup(): Setup {
  const clock = { nowMs: NOW * 1000 }
  const now = () => clock.nowMs
  const docs = new Map<string, unknown>([[TENANT_URL, doc(REALM, tenantCert)], [GLOBAL_URL, doc('*', globalCert)]])
  const fetches: string[] = []
  const fetchDocument = async (url: string) => {
    fetches.push(url)
    const found = docs.get(url)
    if (found === undefined) throw new MetadataFetchError('network', 'down')
    return found
  }
  const partners: PartnerConfig[] = [
    { name: 'hr-addin', applicationId: HR_ID, realm: REALM, certificates: ['hr.pem'], trustLevel: 'full', acceptSid: false, allowHttp: false, tls: { insecureSkipVerify: false } },
    viaServer('exchange-online', EXCHANGE_ID, 'acs'),
    viaServer('lync-online', LYNC_ID, 'acs', { trustLevel: 'application' }),
    viaServer('exchange-mt', EXCHANGE_ID, 'acs-global', { realm: '*', acceptSid: true }),
  ]
  const registry = createPartnerRegistry(partners, { metadata: METADATA, now, fetchDocument, loadCertificateFile: () => hr.cert.certPem })
  const servers = createAuthorizationServers([server('acs', TENANT_URL), server('acs-global', GLOBAL_URL)], { metadata: METADATA, now, fetchDocument })
  const cacheHits: boolean[] = []
  const validator = createTokenValidator({ service, tokens, registry, authorizationServers: servers, now, events: { onCache: (hit) => cacheHits.push(hit) } })
  return { validator, clock, docs, fetches, cacheHits }
}

const aud = (realm = REALM) => `${SERVICE_ID}/${PUBLIC_HOST}@${realm}`
const appToken = (client: string, over: Record<string, unknown> = {}, cert = tenantCert, realm = REALM) =>
  signRaw({ typ: 'JWT', alg: 'RS256', x5t: cert.x5t }, { aud: aud(realm), iss: `${ACS}@${realm}`, ...times, nameid: `${client}@${realm}`, trustedfordelegation: 'false', identityprovider: `${ACS}@${realm}`, ...over }, cert.privateKey)
const userToken = (client: string, user: Record<string, unknown>, cert = tenantCert, realm = REALM) =>
  signRaw({ typ: 'JWT', alg: 'RS256', x5t: cert.x5t }, { aud: aud(realm), iss: `${ACS}@${realm}`, ...times, actor: `${client}@${realm}`, identityprovider: 'urn:federation:microsoftonline', ...user }, cert.privateKey)

async function outcome(validator: TokenValidator, token: string): Promise<Identity | string> {
  try {
    return await validator.validate(token)
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    return err.code === 'GW_TOKEN_INVALID' ? `401 ${err.reason ?? ''}` : `${err.status} ${String(err.detail['reason'] ?? err.code)}`
  }
}

describe('validator with authorization servers', () => {
  it('maps an app-only token to the partner configured with the server, with authorizationServer set', async () => {
    const { validator } = setup()
    expect(await outcome(validator, appToken(EXCHANGE_ID))).toEqual({
      partner: 'exchange-online', partnerId: EXCHANGE_ID, realm: REALM, trustLevel: 'full', authType: 'app',
      x5t: tenantCert.x5t, notBefore: times.nbf, expiresAt: times.exp, authorizationServer: 'acs',
    })
  })

  it('maps a user token: nameid (PUID) with nii from identityprovider, plus upn', async () => {
    const { validator } = setup()
    const identity = await outcome(validator, userToken(EXCHANGE_ID, { nameid: 'puid-1', upn: 'alice@contoso.com' }))
    expect(identity).toMatchObject({ partner: 'exchange-online', authType: 'user', authorizationServer: 'acs', user: { nameid: 'puid-1', nii: 'urn:federation:microsoftonline', upn: 'alice@contoso.com' } })
  })

  it('applies the SID rule of the partner: a SID nameid is dropped without acceptSid, kept with it', async () => {
    const { validator } = setup()
    const sid = { nameid: 's-1-5-21-1', nii: 'urn:office:idp:activedirectory', upn: 'alice@contoso.com' }
    expect(await outcome(validator, userToken(EXCHANGE_ID, sid))).toMatchObject({ user: { upn: 'alice@contoso.com' } })
    expect((await outcome(validator, userToken(EXCHANGE_ID, sid)) as Identity).user?.nameid).toBeUndefined()
    expect(await outcome(validator, userToken(EXCHANGE_ID, { nameid: 's-1-5-21-1', nii: 'urn:office:idp:activedirectory' }))).toBe('401 user_claims')
    const global = await outcome(validator, userToken(EXCHANGE_ID, sid, globalCert, SIP_REALM))
    expect(global).toMatchObject({ partner: 'exchange-mt', authorizationServer: 'acs-global', realm: SIP_REALM, user: sid })
  })

  it('refuses a user token for an application-trust partner with 403, after verification', async () => {
    const { validator } = setup()
    expect(await outcome(validator, userToken(LYNC_ID, { nameid: 'puid-1' }))).toBe('403 trust_level')
    expect(await outcome(validator, userToken(LYNC_ID, { nameid: 'puid-1' }, globalCert))).toBe('401 signature')
  })

  it.each<[string, () => string, string]>([
    ['a partner registered without the server', () => appToken(HR_ID), '401 authz_actor'],
    ['a partner of the multi-tenant server, in the tenant server realm', () => appToken(EXCHANGE_ID, {}, globalCert), '401 signature'],
    ['the tenant server key in another of our realms', () => appToken(EXCHANGE_ID, {}, tenantCert, SIP_REALM), '401 signature'],
    ['a partner of the tenant server, signed in another realm', () => appToken(LYNC_ID, {}, globalCert, SIP_REALM), '401 authz_actor'],
    ['another key, naming the server key’s x5t', () => appToken(EXCHANGE_ID, {}, { ...tenantCert, privateKey: hr.cert.privateKey }), '401 signature'],
  ])('routes by issuer id and realm: %s → %s', async (_label, build, expected) => {
    const { validator } = setup()
    expect(await outcome(validator, build())).toBe(expected)
  })

  it('leaves self-issued tokens to the usual rules, even for an application id a server also vouches for', async () => {
    const { validator } = setup()
    expect(await outcome(validator, hr.actorToken(times))).toMatchObject({ partner: 'hr-addin', authType: 'app' })
    expect((await outcome(validator, hr.actorToken(times)) as Identity).authorizationServer).toBeUndefined()
  })

  it('serves a repeated server token from the cache, and stops when the server no longer publishes the key', async () => {
    const { validator, docs, cacheHits, clock } = setup()
    const token = appToken(EXCHANGE_ID)
    await validator.validate(token)
    await validator.validate(token)
    expect(cacheHits).toEqual([false, true])
    // The server rotates: the cached entry's key is gone after the next refresh (forced by a new key's token).
    const next = await createSelfSignedCertificate({ subject: 'CN=acs next' })
    docs.set(TENANT_URL, doc(REALM, next))
    clock.nowMs += 61_000
    expect(await outcome(validator, appToken(EXCHANGE_ID, {}, next))).toMatchObject({ x5t: next.x5t })
    expect(await outcome(validator, token)).toBe('401 signature')
    expect(cacheHits.slice(-1)).toEqual([false])
  })

  it('answers 503 for an unknown issuer id while a server is down, never delays a registered partner, recovers', async () => {
    const { validator, docs, fetches, clock } = setup()
    docs.delete(TENANT_URL)
    expect(await outcome(validator, appToken(EXCHANGE_ID))).toBe('503 GW_PARTNER_UNAVAILABLE')
    const before = fetches.length
    expect(await outcome(validator, hr.actorToken(times))).toMatchObject({ partner: 'hr-addin' })
    expect(fetches.length).toBe(before)
    expect(await outcome(validator, appToken(EXCHANGE_ID))).toBe('503 GW_PARTNER_UNAVAILABLE')
    expect(fetches.length).toBe(before) // within the cooldown: no new fetch
    docs.set(TENANT_URL, doc(REALM, tenantCert))
    clock.nowMs += 61_000
    expect(await outcome(validator, appToken(EXCHANGE_ID))).toMatchObject({ partner: 'exchange-online' })
  })
})
