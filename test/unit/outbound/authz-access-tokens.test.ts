// Unit: the outbound token source of issue 7 with an injected token request and a fixed clock: one request in
// flight per partner and resource, reuse until shortly before expiry, forgetting, the realm of resource and
// client_id, the form sent, and failures turned into GW_OUTBOUND_AUTHZ_TOKEN.
import { beforeAll, describe, expect, it } from 'vitest'
import { createAuthzTokenSource, serverTarget } from '../../../src/outbound/access-tokens.js'
import { createAuthorizationServers, type AuthorizationServers } from '../../../src/auth-servers/index.js'
import { IssuanceError, type IssuanceOptions, type IssuedAccessToken } from '../../../src/outbound/issuance.js'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../../src/certs/create.js'
import type { GatewayConfig } from '../../../src/schema/types.js'
import { GatewayError } from '../../../src/errors/index.js'
import { silentLogger } from '../../../src/log/logger.js'
import type { OutboundTarget } from '../../../src/outbound/index.js'

const ACS = '00000001-0000-0000-c000-000000000000'
const SP = '00000003-0000-0ff1-ce00-000000000000'
const US = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'
const URL_TENANT = 'https://acs.test/contoso.com/metadata/json/1'
const ISSUANCE = 'https://acs.test/contoso.com/tokens/OAuth/2'
const METADATA: GatewayConfig['metadata'] = { refreshIntervalSec: 3600, refreshJitterPercent: 10, firstRetryMs: 30_000, refetchCooldownSec: 60, maxStaleSec: 604_800, timeoutMs: 1000, maxBytes: 1_048_576 }
const T0 = 1_795_348_800_000
/** outbound.tokenRefreshBeforeExpirySec; not the default (300), so the test shows the configured value is used. */
const REFRESH_BEFORE_EXPIRY_SEC = 120

let cert: CreatedCertificate
let ours: CreatedCertificate
beforeAll(async () => {
  ;[cert, ours] = await Promise.all([createSelfSignedCertificate({ subject: 'CN=acs' }), createSelfSignedCertificate({ subject: 'CN=gateway' })])
})

const target = (realm = 'fabrikam.com', realmFrom: OutboundTarget['realmFrom'] = 'challenge'): OutboundTarget => ({
  principal: SP, realm, host: 'sp.contoso.com', audience: `${SP}/sp.contoso.com@${realm}`, issuer: `${US}@${realm}`, principalFrom: 'config', realmFrom,
})

function servers(doc: unknown): AuthorizationServers {
  return createAuthorizationServers([{ name: 'acs', metadataUrl: URL_TENANT, allowHttp: false, tls: { insecureSkipVerify: false } }], {
    metadata: METADATA, now: () => T0, fetchDocument: async () => doc,
  })
}

const acsDoc = (realm = 'contoso.com', endpoints: unknown[] = [{ location: ISSUANCE, protocol: 'OAuth2', usage: 'issuance' }]) => ({
  issuer: `${ACS}@${realm}`, keys: [{ usage: 'signing', keyValue: { type: 'x509Certificate', value: cert.der.toString('base64') } }], endpoints,
})

interface Call { endpoint: string; form: Record<string, string>; opts: IssuanceOptions; release: (answer: IssuedAccessToken | Error) => void }

function harness(doc: Record<string, unknown> = acsDoc()) {
  const clock = { ms: T0 }
  const calls: Call[] = []
  const issued: string[] = []
  const source = createAuthzTokenSource({
    servers: servers(doc), signer: { privateKey: ours.privateKey, x5t: ours.x5t }, serviceId: US.toUpperCase(), limits: { timeoutMs: 1000, maxBytes: 4096 }, refreshBeforeExpirySec: REFRESH_BEFORE_EXPIRY_SEC,
    now: () => clock.ms, log: silentLogger, onIssued: (p) => issued.push(p),
    request: (endpoint, form, opts) => new Promise((resolve, reject) => {
      calls.push({ endpoint, form: Object.fromEntries(form), opts, release: (a) => (a instanceof Error ? reject(a) : resolve(a)) })
    }),
  })
  return { source, calls, clock, issued }
}

/** Let pending promise chains (metadata load, assertion signing) reach the injected request. */
async function settle(calls: Call[], count: number): Promise<void> {
  while (calls.length < count) await new Promise((resolve) => setImmediate(resolve))
}

const token = (n: number) => ({ accessToken: `eyJhbGciOiJSUzI1NiJ9.e30.sig${n}`, expiresInSec: 3600 })

describe('createAuthzTokenSource', () => {
  it('sends one request for concurrent calls, with the client-credentials form and our assertion', async () => {
    const { source, calls, issued } = harness()
    const pending = Array.from({ length: 20 }, () => source.issue({ partner: 'sp', server: 'acs', target: target() }))
    await settle(calls, 1)
    calls[0]?.release(token(1))
    const results = await Promise.all(pending)
    expect(calls).toHaveLength(1)
    expect(new Set(results.map((r) => r.token.token))).toEqual(new Set([token(1).accessToken]))
    expect(issued).toEqual(['sp'])
    expect(calls[0]?.endpoint).toBe(ISSUANCE)
    expect(calls[0]?.form).toEqual({
      grant_type: 'client_credentials', client_id: `${US}@contoso.com`, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: expect.stringMatching(/^ey[\w-]+\.ey[\w-]+\.[\w-]+$/), resource: `${SP}/sp.contoso.com@contoso.com`,
    })
    const [h, p] = (calls[0]?.form['client_assertion'] ?? '').split('.').slice(0, 2).map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()) as Record<string, unknown>)
    expect(h).toEqual({ typ: 'JWT', alg: 'RS256', x5t: ours.x5t })
    expect(p).toMatchObject({ iss: `${US}@contoso.com`, sub: `${US}@contoso.com`, aud: ISSUANCE, nbf: T0 / 1000, exp: T0 / 1000 + 600, jti: expect.any(String) })
  })

  it('reuses the token until outbound.tokenRefreshBeforeExpirySec before expiry, then asks again', async () => {
    const { source, calls, clock } = harness()
    const first = source.issue({ partner: 'sp', server: 'acs', target: target() })
    await settle(calls, 1)
    calls[0]?.release(token(1))
    expect((await first).token).toMatchObject({ minted: true, exp: T0 / 1000 + 3600, authType: 'app', authorizationServer: 'acs' })
    clock.ms = T0 + (3600 - REFRESH_BEFORE_EXPIRY_SEC - 1) * 1000
    expect((await source.issue({ partner: 'sp', server: 'acs', target: target() })).token).toMatchObject({ minted: false, token: token(1).accessToken })
    clock.ms += 1000
    const second = source.issue({ partner: 'sp', server: 'acs', target: target() })
    await settle(calls, 2)
    calls[1]?.release(token(2))
    expect((await second).token.token).toBe(token(2).accessToken)
  })

  it('refreshes a short-lived token at half its lifetime', async () => {
    const { source, calls, clock } = harness()
    const first = source.issue({ partner: 'sp', server: 'acs', target: target() })
    await settle(calls, 1)
    calls[0]?.release({ accessToken: 'short', expiresInSec: 120 })
    await first
    clock.ms = T0 + 59_000
    await source.issue({ partner: 'sp', server: 'acs', target: target() })
    expect(calls).toHaveLength(1)
    clock.ms = T0 + 60_000
    void source.issue({ partner: 'sp', server: 'acs', target: target() })
    await settle(calls, 2)
    calls[1]?.release(token(2))
  })

  it('keeps tokens per partner and resource, and forgets a partner’s on request', async () => {
    const { source, calls } = harness()
    const a = source.issue({ partner: 'sp', server: 'acs', target: target() })
    const b = source.issue({ partner: 'sp', server: 'acs', target: { ...target(), principal: '00000002-0000-0ff1-ce00-000000000000' } })
    await settle(calls, 2)
    calls[0]?.release(token(1))
    calls[1]?.release(token(2))
    await Promise.all([a, b])
    source.forgetPartner('sp')
    const again = source.issue({ partner: 'sp', server: 'acs', target: target() })
    await settle(calls, 3)
    calls[2]?.release(token(3))
    expect((await again).token.token).toBe(token(3).accessToken)
  })

  it('turns a refusal into GW_OUTBOUND_AUTHZ_TOKEN, and caches no failure', async () => {
    const { source, calls } = harness()
    const refused = source.issue({ partner: 'sp', server: 'acs', target: target() })
    await settle(calls, 1)
    calls[0]?.release(new IssuanceError('status', 'HTTP 401', { status: 401, oauthError: 'invalid_client' }))
    const err = await refused.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GatewayError)
    expect(err).toMatchObject({ code: 'GW_OUTBOUND_AUTHZ_TOKEN', status: 502, detail: { partner: 'sp', authorizationServer: 'acs', fault: 'status', status: 401, error: 'invalid_client' } })
    const retry = source.issue({ partner: 'sp', server: 'acs', target: target() })
    await settle(calls, 2)
    calls[1]?.release(token(2))
    expect((await retry).token.token).toBe(token(2).accessToken)
  })

  it.each<[string, () => Record<string, unknown>, string]>([
    ['no issuance endpoint', () => acsDoc('contoso.com', [{ location: 'https://acs.test/x', protocol: 'OAuth2', usage: 'metadata' }]), 'no_issuance_endpoint'],
    ['a document without keys', () => ({ issuer: `${ACS}@contoso.com`, keys: [] }), 'metadata_unavailable'],
  ])('answers 502 for a server with %s, without any request', async (_label, doc, fault) => {
    const { source, calls } = harness(doc())
    await expect(source.issue({ partner: 'sp', server: 'acs', target: target() })).rejects.toMatchObject({ code: 'GW_OUTBOUND_AUTHZ_TOKEN', detail: { fault } })
    expect(calls).toEqual([])
  })
})

describe('serverTarget: the realm of resource and client_id', () => {
  it.each<[string, string, string, OutboundTarget['realmFrom']]>([
    ['a tenant server: its realm, whatever the partner said', 'contoso.com', 'contoso.com', 'authorization-server'],
    ['a multi-tenant server: the partner’s resolved realm', '*', 'fabrikam.com', 'challenge'],
  ])('%s', async (_label, serverRealm, realm, realmFrom) => {
    const set = servers(acsDoc(serverRealm))
    await set.loadAll()
    const server = set.get('acs')
    if (server === undefined) throw new Error('no server')
    expect(serverTarget(target('fabrikam.com'), server, US.toUpperCase())).toMatchObject({
      realm, audience: `${SP}/sp.contoso.com@${realm}`, issuer: `${US}@${realm}`, realmFrom,
    })
  })
})
