// Integration (issue 7): a stand-in authorization server on loopback with its own metadata document, issuance
// endpoint and signing certificate. Inbound: its app-only and user tokens are accepted for partners configured
// with it, with x-s2s-issuer; refused for other partners, a mismatched realm or a key not in its metadata.
// Outbound: calls to a partner configured with it carry a token obtained from it, cached, one request at a time.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startAuthServer, authServerEntry, ACS_ID, type AuthServer } from '../helpers/auth-server.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { SHAREPOINT_ID, startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { EXCHANGE_ID, REALM, SERVICE_ID, makeTestPartner, signRaw, wrapRaw, type TestPartner } from '../helpers/tokens.js'
import { call, listenWithOutbound, segment } from './outbound-call.js'
import { until } from '../helpers/until.js'

const LYNC_ID = '00000004-0000-0ff1-ce00-000000000000'
const HR_ID = '11111111-2222-3333-4444-555555555555'
const AUTHORIZE = 'https://login.example.net/common/oauth2/authorize'
const PUID = '10037ffe8abc1234'

let upstream: EchoUpstream
let as: AuthServer
let exchange: TestPartner
let hr: TestPartner
let exchangeMeta: MetadataServer
let hrMeta: MetadataServer
let sharepoint: PartnerStub
let lync: PartnerStub
let gw: TestGateway
let out: string

/** The gateway config: the server "acs", three partners through it (one per test need), two self-issuing ones. */
function config(): Record<string, unknown> {
  return {
    service: { id: SERVICE_ID, name: 'Test API', realm: REALM, realmAliases: ['fabrikam.com'], publicHosts: ['gw.contoso.com'] },
    listen: listenWithOutbound(),
    authorizationServers: [authServerEntry('acs', as, { authorizationUri: AUTHORIZE })],
    partners: [
      metadataPartner('exchange', exchangeMeta.url), // on-prem Exchange, self-issued: same application id as exchange-online
      metadataPartner('hr-addin', hrMeta.url, { trustLevel: 'application' }),
      { name: 'exchange-online', applicationId: EXCHANGE_ID, realm: '*', authorizationServer: 'acs', trustLevel: 'full' },
      { name: 'sharepoint-online', applicationId: SHAREPOINT_ID, realm: REALM, authorizationServer: 'acs', trustLevel: 'full', outbound: { url: `${sharepoint.url}/sites/hr` } },
      { name: 'lync-online', applicationId: LYNC_ID, realm: REALM, authorizationServer: 'acs', trustLevel: 'application', outbound: { url: lync.url } },
    ],
  }
}

beforeAll(async () => {
  upstream = await startEchoUpstream()
  as = await startAuthServer()
  ;[exchange, hr] = await Promise.all([makeTestPartner(), makeTestPartner({ id: HR_ID })])
  exchangeMeta = await startMetadataServer(exchange)
  hrMeta = await startMetadataServer(hr)
  sharepoint = await startPartnerStub({ trustAuthorizationServer: as.metadataUrl })
  lync = await startPartnerStub({ id: LYNC_ID, trustAuthorizationServer: as.metadataUrl })
  gw = await startTestGateway(upstream.url, config())
  out = gw.running.outboundUrl ?? ''
  as.gatewayMetadataUrl = `${gw.url}/metadata/json/1`
  for (const stub of [sharepoint, lync]) stub.gatewayMetadataUrl = `${gw.url}/metadata/json/1`
})
afterAll(async () => {
  await gw?.close()
  await Promise.all([as?.close(), exchangeMeta?.close(), hrMeta?.close(), sharepoint?.close(), lync?.close(), upstream?.close()])
})
beforeEach(() => {
  upstream.seen.length = 0
  for (const stub of [sharepoint, lync]) {
    stub.accepted.length = 0
    stub.rejections.length = 0
    stub.rejectAll = undefined
  }
  as.failWith = undefined
})

const get = (token: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/api/items`, { headers: { authorization: `Bearer ${token}`, ...headers } })

/** The x-s2s-* headers the backend saw on its last request. */
function identitySeen(): Record<string, string> {
  const headers = upstream.seen.at(-1)?.headers ?? {}
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('x-s2s-')).map(([n, v]) => [n, String(v)]))
}

describe('inbound: tokens of the authorization server', () => {
  it('accepts an app-only token for a partner configured with it, as that partner, with x-s2s-issuer', async () => {
    const res = await get(as.appToken(EXCHANGE_ID), { 'x-s2s-issuer': 'spoofed' })
    expect(res.status).toBe(200)
    expect(identitySeen()).toEqual({
      'x-s2s-partner': 'exchange-online', 'x-s2s-partner-id': EXCHANGE_ID, 'x-s2s-realm': REALM,
      'x-s2s-trust-level': 'full', 'x-s2s-auth-type': 'app', 'x-s2s-issuer': 'acs',
    })
  })

  it('accepts a user token (nameid = PUID, actor = the application) and maps the user claims', async () => {
    const res = await get(as.userToken(EXCHANGE_ID, { nameid: PUID, upn: 'alice@contoso.com', smtp: 'alice.smith@contoso.com' }))
    expect(res.status).toBe(200)
    expect(identitySeen()).toEqual({
      'x-s2s-partner': 'exchange-online', 'x-s2s-partner-id': EXCHANGE_ID, 'x-s2s-realm': REALM,
      'x-s2s-trust-level': 'full', 'x-s2s-auth-type': 'user', 'x-s2s-issuer': 'acs',
      'x-s2s-user-nameid': PUID, 'x-s2s-user-nii': 'urn:federation:microsoftonline',
      'x-s2s-user-upn': 'alice@contoso.com', 'x-s2s-user-smtp': 'alice.smith@contoso.com',
    })
  })

  it('still accepts the self-issued token of the on-prem partner with the same application id, without x-s2s-issuer', async () => {
    const res = await get(exchange.actorToken(), { 'x-s2s-issuer': 'acs' })
    expect(res.status).toBe(200)
    expect(identitySeen()).toEqual({
      'x-s2s-partner': 'exchange', 'x-s2s-partner-id': EXCHANGE_ID, 'x-s2s-realm': REALM, 'x-s2s-trust-level': 'full', 'x-s2s-auth-type': 'app',
    })
  })

  it('applies the trust level: an application-trust partner gets 403 for a user token, 200 for app-only', async () => {
    expect((await get(as.userToken(LYNC_ID, { nameid: PUID, upn: 'alice@contoso.com' }))).status).toBe(403)
    expect((await get(as.appToken(LYNC_ID))).status).toBe(200)
    expect(identitySeen()['x-s2s-partner']).toBe('lync-online')
  })

  it('serves a repeated token from the verified-token cache', async () => {
    const token = as.appToken(SHAREPOINT_ID, { nbf: Math.floor(Date.now() / 1000) - 61 })
    const hits = async () => Number(/s2s_gateway_token_cache_total\{result="hit"\} (\d+)/.exec(await (await fetch(`${gw.adminUrl}/metrics`)).text())?.[1] ?? 0)
    expect((await get(token)).status).toBe(200)
    const before = await hits()
    expect((await get(token)).status).toBe(200)
    expect(await hits()).toBe(before + 1)
    expect(identitySeen()['x-s2s-issuer']).toBe('acs')
  })

  const realms = 'fabrikam.com'
  it.each<[string, () => string, string]>([
    ['for a registered partner not configured with it', () => as.appToken(HR_ID), 'authz_actor'],
    ['for an application nobody registered', () => as.appToken('99999999-2222-3333-4444-555555555555'), 'authz_actor'],
    ['for a user, naming an unconfigured application as actor', () => as.userToken(HR_ID, { nameid: PUID, upn: 'alice@contoso.com' }), 'authz_actor'],
    ['with an aud realm other than its iss realm', () => as.appToken(EXCHANGE_ID, { aud: `${SERVICE_ID}/gw.contoso.com@${realms}` }), 'issuer_realm'],
    ['with an iss realm other than the server’s (both ours)', () => as.appToken(`${EXCHANGE_ID}@${realms}`, { iss: `${ACS_ID}@${realms}`, aud: `${SERVICE_ID}/gw.contoso.com@${realms}` }), 'issuer_realm'],
    ['naming the application in another realm than iss', () => as.appToken(`${EXCHANGE_ID}@${realms}`), 'authz_actor'],
    ['signed by a key not in its metadata', () => as.appToken(EXCHANGE_ID, {}, exchange.cert.privateKey), 'signature'],
    ['signed by a key not in its metadata, naming that key', () => signRaw({ typ: 'JWT', alg: 'RS256', x5t: hr.cert.x5t }, as.appClaims(EXCHANGE_ID), hr.cert.privateKey), 'signature'],
    ['wrapped in an alg-none outer token', () => wrapRaw({ aud: `${SERVICE_ID}/gw.contoso.com@${REALM}`, iss: `${EXCHANGE_ID}@${REALM}`, upn: 'alice@contoso.com', actortoken: as.appToken(EXCHANGE_ID) }), 'authz_wrapped'],
    ['for another audience', () => as.appToken(EXCHANGE_ID, { aud: `${SERVICE_ID}/other.contoso.com@${REALM}` }), 'aud_host'],
    ['expired', () => as.appToken(EXCHANGE_ID, { nbf: 1_000_000, exp: 1_003_600 }), 'expired'],
  ])('refuses its token %s: 401, backend untouched, reason logged', async (_label, build, reason) => {
    const res = await get(build())
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(upstream.seen).toEqual([])
    expect(gw.logs().some((l) => l['reason'] === reason)).toBe(true)
  })

  it('refuses a self-issued token naming a partner that only goes through the server', async () => {
    const impostor = await makeTestPartner({ id: LYNC_ID })
    expect((await get(impostor.actorToken())).status).toBe(401)
    expect(gw.logs().some((l) => l['reason'] === 'issuer_unknown')).toBe(true)
  })

  it('lists the server in trusted_issuers (and not the partners it vouches for) and sends authorization_uri', async () => {
    const res = await fetch(`${gw.url}/api/items`)
    expect(res.status).toBe(401)
    const challenge = res.headers.get('www-authenticate') ?? ''
    const issuers = /trusted_issuers="([^"]*)"/.exec(challenge)?.[1]?.split(',')
    expect(issuers).toEqual([`${EXCHANGE_ID}@${REALM}`, `${HR_ID}@${REALM}`, `${ACS_ID}@${REALM}`])
    expect(challenge).toMatch(new RegExp(`^Bearer realm="${REALM}",client_id="${SERVICE_ID}",trusted_issuers="[^"]*",authorization_uri="${AUTHORIZE}"$`))
  })
})

describe('outbound: tokens obtained from the authorization server', () => {
  it('20 concurrent calls share one issuance request; each reaches the partner with the server token', async () => {
    const before = as.requests.length
    as.hold = true
    const calls = Array.from({ length: 20 }, (_, i) => call(out, `/sharepoint-online/items/${i}`))
    await until(() => as.requests.length > before, 'the authorization server to receive a request')
    as.release()
    const results = await Promise.all(calls)
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200))
    expect(as.requests.length - before).toBe(1)
    expect(new Set(sharepoint.accepted.map((a) => a.headers.authorization)).size).toBe(1)
  })

  it('asks with client credentials and a 10-minute RS256 assertion signed by our published certificate', async () => {
    const request = as.requests.at(-1)
    expect(request?.rejected).toBeUndefined()
    const client = `${SERVICE_ID}@${REALM}`
    const host = new URL(sharepoint.url).host
    expect(request?.form).toEqual({
      grant_type: 'client_credentials',
      client_id: client,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: expect.any(String),
      resource: `${SHAREPOINT_ID}/${host}@${REALM}`,
    })
    expect(request?.assertionHeader).toEqual({ typ: 'JWT', alg: 'RS256', x5t: gw.issuerCert.x5t })
    expect(request?.assertionClaims).toMatchObject({ iss: client, sub: client, aud: as.issuanceUrl })
    const { nbf, exp } = request?.assertionClaims as { nbf: number; exp: number }
    expect(exp - nbf).toBe(600)
  })

  it('sends the server token, not a self-issued one, and reuses it from the cache', async () => {
    const before = as.requests.length
    const first = await call(out, '/sharepoint-online/_api/web')
    const second = await call(out, '/sharepoint-online/_api/lists')
    expect([first.status, second.status]).toEqual([200, 200])
    expect(as.requests.length).toBe(before)
    const [a, b] = sharepoint.accepted
    expect(a?.headers.authorization).toBe(b?.headers.authorization)
    expect(a?.header).toEqual({ typ: 'JWT', alg: 'RS256', x5t: as.cert.x5t })
    expect(a?.actor).toMatchObject({ iss: as.issuer, nameid: `${SERVICE_ID}@${REALM}`, aud: `${SHAREPOINT_ID}/${new URL(sharepoint.url).host}@${REALM}` })
    expect(a?.url).toBe('/sites/hr/_api/web')
  })

  it('answers 403 to act-as headers for such a partner, without asking the server', async () => {
    const before = as.requests.length
    const res = await call(out, '/sharepoint-online/_api/me', { headers: { 'x-s2s-act-as-upn': 'alice@contoso.com' } })
    expect(res.status).toBe(403)
    expect(res.json).toMatchObject({ code: 'GW_OUTBOUND_AUTHZ_USER', partner: 'sharepoint-online' })
    expect(as.requests.length).toBe(before)
    expect(sharepoint.accepted).toEqual([])
  })

  it('answers 502 when the server refuses, and asks again on the next call (no failure is cached)', async () => {
    as.failWith = { status: 400, error: 'invalid_client' }
    const refused = await call(out, '/lync-online/')
    expect(refused.status).toBe(502)
    expect(refused.json).toMatchObject({ code: 'GW_OUTBOUND_AUTHZ_TOKEN', partner: 'lync-online', fault: 'status' })
    expect(lync.accepted).toEqual([])
    as.failWith = undefined
    const before = as.requests.length
    expect((await call(out, '/lync-online/')).status).toBe(200)
    expect(as.requests.length).toBe(before + 1)
  })

  it('forgets the token when the partner answers 401, and retries once with a new one', async () => {
    await call(out, '/lync-online/warm')
    const before = as.requests.length
    lync.rejectAll = 'revoked'
    const rejected = await call(out, '/lync-online/x')
    expect(rejected.status).toBe(401)
    expect(as.requests.length).toBe(before + 1)
    lync.rejectAll = undefined
    expect((await call(out, '/lync-online/y')).status).toBe(200)
    expect(as.requests.length).toBe(before + 1)
  })
})

describe('operating', () => {
  it('status.json lists the server with its issuer and key state', async () => {
    const report = (await (await fetch(`${gw.adminUrl}/status.json`)).json()) as { authorizationServers: Array<Record<string, unknown>> }
    expect(report.authorizationServers).toEqual([
      expect.objectContaining({ name: 'acs', issuer: as.issuer, state: 'ok', health: 'healthy', keys: 1, certificates: [expect.objectContaining({ x5t: as.cert.x5t })] }),
    ])
  })
})

describe('reload', () => {
  it('keeps the server keys and issuance endpoint: no refetch, its tokens still pass and calls still get tokens', async () => {
    const fetches = as.metadataFetches
    gw.reload(config())
    expect((await get(as.appToken(EXCHANGE_ID))).status).toBe(200)
    const res = await call(out, '/sharepoint-online/after-reload')
    expect(res.status).toBe(200)
    expect(segment(String(sharepoint.accepted.at(-1)?.headers.authorization).slice(7), 1)['iss']).toBe(as.issuer)
    expect(as.metadataFetches).toBe(fetches)
  })
})

describe('permissions of a partner behind the authorization server (issue 10)', () => {
  it('apply to its tokens like to self-issued ones, users included', async () => {
    const partners = (config()['partners'] as Array<Record<string, unknown>>).map((p) => p['name'] !== 'exchange-online' ? p : {
      ...p, permissions: [{ name: 'items-read', paths: ['/api/items'], right: 'read', users: ['*@contoso.com'] }],
    })
    gw.reload({ ...config(), partners })
    try {
      expect((await get(as.userToken(EXCHANGE_ID, { nameid: PUID, upn: 'alice@contoso.com', smtp: 'alice.smith@contoso.com' }))).status).toBe(200)
      expect(identitySeen()['x-s2s-permission']).toBe('items-read')
      expect((await get(as.userToken(EXCHANGE_ID, { nameid: PUID, upn: 'alice@contoso.com', smtp: 'alice@fabrikam.com' }))).status).toBe(403)
      expect((await get(as.appToken(EXCHANGE_ID))).status).toBe(403) // users: user calls only
      expect((await get(exchange.actorToken())).status).toBe(200) // the self-issued partner has no permissions
    } finally {
      gw.reload(config())
    }
  })
})
