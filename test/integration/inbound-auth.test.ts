// Integration: real gateway, echo backend and partner metadata server on 127.0.0.1, real HTTP. App-only and
// user-context success, one rejection per validation step, trust levels, the challenge, real senders' forms.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, nowSec, signRaw, wrapRaw, b64u, PUBLIC_HOST, REALM, SERVICE_ID, type TestPartner } from '../helpers/tokens.js'

const HR_ID = '11111111-2222-3333-4444-555555555555'

let upstream: EchoUpstream
let exchange: TestPartner
let hr: TestPartner
let rogue: TestPartner
let meta: MetadataServer
let gw: TestGateway

beforeAll(async () => {
  upstream = await startEchoUpstream()
  ;[exchange, hr, rogue] = await Promise.all([makeTestPartner(), makeTestPartner({ id: HR_ID }), makeTestPartner()])
  meta = await startMetadataServer(exchange)
  const dir = await import('node:os').then((os) => os.tmpdir())
  const hrCert = join(dir, `hr-${process.pid}-${Date.now()}.pem`)
  writeFileSync(hrCert, hr.cert.certPem)
  gw = await startTestGateway(upstream.url, {
    tokens: { maxLifetimeSec: 90_000, maxTokenBytes: 8192 },
    partners: [
      metadataPartner('exchange', meta.url),
      { name: 'hr-addin', applicationId: HR_ID, realm: REALM, certificates: [hrCert], trustLevel: 'application' },
    ],
  })
})
afterAll(async () => {
  await gw?.close()
  await meta?.close()
  await upstream?.close()
})
beforeEach(() => {
  upstream.seen.length = 0
})

function call(token: string | undefined, path = '/api/items', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gw.url}${path}`, { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } })
}

const CHALLENGE = `Bearer realm="${REALM}",client_id="${SERVICE_ID}",trusted_issuers="00000002-0000-0ff1-ce00-000000000000@${REALM},${HR_ID}@${REALM}"`

describe('accepted tokens', () => {
  it('app-only token: backend gets the partner identity, no Authorization', async () => {
    const res = await call(exchange.actorToken())
    expect(res.status).toBe(200)
    const seen = upstream.seen[0]
    expect(seen?.headers['x-s2s-partner']).toBe('exchange')
    expect(seen?.headers['x-s2s-partner-id']).toBe(exchange.id)
    expect(seen?.headers['x-s2s-realm']).toBe(REALM)
    expect(seen?.headers['x-s2s-trust-level']).toBe('full')
    expect(seen?.headers['x-s2s-auth-type']).toBe('app')
    expect(seen?.headers['x-s2s-user-upn']).toBeUndefined()
    expect(seen?.headers.authorization).toBeUndefined()
  })

  it('user-context token: backend gets the user claims that were sent', async () => {
    const res = await call(exchange.userToken({ upn: 'alice@contoso.com', smtp: 'alice@contoso.com', sip: 'alice@contoso.com' }))
    expect(res.status).toBe(200)
    const h = upstream.seen[0]?.headers ?? {}
    expect(h['x-s2s-auth-type']).toBe('user')
    expect([h['x-s2s-user-upn'], h['x-s2s-user-smtp'], h['x-s2s-user-sip']]).toEqual(['alice@contoso.com', 'alice@contoso.com', 'alice@contoso.com'])
  })

  it('non-ASCII user claims arrive percent-encoded as UTF-8', async () => {
    const res = await call(exchange.userToken({ upn: 'zoë@contoso.com' }))
    expect(res.status).toBe(200)
    expect(upstream.seen[0]?.headers['x-s2s-user-upn']).toBe('zo%C3%AB%40contoso.com')
  })

  it('a SID nameid is dropped for a partner without acceptSid, a UPN nameid is kept', async () => {
    const sid = await call(exchange.userToken({ nameid: 's-1-5-21-1-2-3-1001', nii: 'urn:office:idp:activedirectory', upn: 'bob@contoso.com' }))
    expect(sid.status).toBe(200)
    expect(upstream.seen[0]?.headers['x-s2s-user-nameid']).toBeUndefined()
    expect(upstream.seen[0]?.headers['x-s2s-user-upn']).toBe('bob@contoso.com')
    const upn = await call(exchange.userToken({ nameid: 'carol@contoso.com' }))
    expect(upn.status).toBe(200)
    expect(upstream.seen[1]?.headers['x-s2s-user-nameid']).toBe('carol@contoso.com')
  })

  it.each([
    ['numeric nbf/exp', {}],
    ['string nbf/exp ([MS-XOAUTH] examples)', { nbf: String(nowSec() - 60), exp: String(nowSec() + 3600) }],
    ['Exchange 24 h span (nbf = now)', { nbf: nowSec(), exp: nowSec() + 86_400 }],
    ['node-sp-auth 24 h span (now - 12 h .. now + 12 h)', { nbf: nowSec() - 43_200, exp: nowSec() + 43_200 }],
    ['aud with :443 (normalised away)', { aud: `${SERVICE_ID}/gw.contoso.com:443@${REALM}` }],
    ['aud with a configured significant port', { aud: `${SERVICE_ID}/gw.contoso.com:8443@${REALM}` }],
    ['aud host and ids in upper case', { aud: `${SERVICE_ID.toUpperCase()}/GW.CONTOSO.COM@CONTOSO.COM` }],
    ['iat added by jsonwebtoken', { iat: nowSec() }],
  ])('app-only token with %s is accepted', async (_label, overrides) => {
    expect((await call(exchange.actorToken(overrides))).status).toBe(200)
  })

  it.each([
    ['string "true"', 'true'],
    ['boolean true (node-sp-auth)', true],
    ['"True"', 'True'],
  ])('user token with trustedfordelegation %s is accepted', async (_label, value) => {
    expect((await call(exchange.userToken({ upn: 'a@contoso.com' }, {}, { trustedfordelegation: value }))).status).toBe(200)
  })

  it('lower-case "bearer" scheme and a token without x5t (keys tried in turn) are accepted', async () => {
    const noX5t = signRaw({ typ: 'JWT', alg: 'RS256' }, exchange.actorClaims(), exchange.cert.privateKey)
    const res = await fetch(`${gw.url}/x`, { headers: { authorization: `bearer ${noX5t}` } })
    expect(res.status).toBe(200)
  })
})

describe('rejected tokens: 401 invalid_token, backend untouched, reason logged', () => {
  // Exact skew boundaries are unit-tested with an injected clock; here the margins absorb test latency.
  const cases: Array<[string, () => string, string]> = [
    ['alg none actor', () => wrapRaw({ ...exchange.actorClaims() }, { typ: 'JWT', alg: 'none' }), 'outer_no_actortoken'],
    ['HS256 actor', () => signRaw({ alg: 'HS256', x5t: exchange.cert.x5t }, exchange.actorClaims(), exchange.cert.privateKey), 'alg_not_allowed'],
    ['rogue key with the right x5t', () => exchange.actorToken({}, {}, rogue.cert.privateKey), 'signature'],
    ['truncated signature', () => exchange.actorToken().slice(0, -10), 'signature'],
    ['jku header', () => exchange.actorToken({}, { jku: 'https://evil.example/keys' }), 'header_not_allowed'],
    ['unknown issuer', () => exchange.actorToken({ iss: `99999999-0000-0000-0000-000000000000@${REALM}`, nameid: `99999999-0000-0000-0000-000000000000@${REALM}` }), 'issuer_unknown'],
    ['wrong issuer realm', () => exchange.actorToken({ iss: `${exchange.id}@fabrikam.com`, nameid: `${exchange.id}@fabrikam.com` }), 'issuer_realm'],
    ['wrong service id in aud', () => exchange.actorToken({ aud: `00000003-0000-0ff1-ce00-000000000000/gw.contoso.com@${REALM}` }), 'aud_principal'],
    ['wrong host in aud', () => exchange.actorToken({ aud: `${SERVICE_ID}/evil.contoso.com@${REALM}` }), 'aud_host'],
    ['wrong port in aud', () => exchange.actorToken({ aud: `${SERVICE_ID}/gw.contoso.com:9443@${REALM}` }), 'aud_host'],
    ['wrong realm in aud', () => exchange.actorToken({ aud: `${SERVICE_ID}/gw.contoso.com@fabrikam.com` }), 'aud_realm'],
    ['aud without host (CVE-2023-29357)', () => exchange.actorToken({ aud: `${SERVICE_ID}@${REALM}` }), 'aud_malformed'],
    ['nameid not the issuer', () => exchange.actorToken({ nameid: `${HR_ID}@${REALM}` }), 'nameid'],
    ['expired beyond the skew', () => exchange.actorToken({ nbf: nowSec() - 7200, exp: nowSec() - 360 }), 'expired'],
    ['not yet valid beyond the skew', () => exchange.actorToken({ nbf: nowSec() + 360, exp: nowSec() + 3600 }), 'not_yet_valid'],
    ['missing exp', () => exchange.actorToken({ exp: undefined }), 'time_malformed'],
    ['lifetime over the cap', () => exchange.actorToken({ nbf: nowSec() - 60, exp: nowSec() + 90_001 }), 'lifetime'],
    ['outer iss not bound to the actor', () => exchange.userToken({ upn: 'a@contoso.com' }, { iss: `${HR_ID}@${REALM}` }), 'outer_binding'],
    ['outer aud not bound to the actor', () => exchange.userToken({ upn: 'a@contoso.com' }, { aud: `${SERVICE_ID}/other.contoso.com@${REALM}` }), 'outer_binding'],
    ['signed outer token', () => wrapRaw({ actortoken: exchange.actorToken(), upn: 'a@contoso.com' }, { typ: 'JWT', alg: 'none' }, 'c2ln'), 'outer_signed'],
    ['nested actortoken', () => exchange.actorToken({ actortoken: exchange.actorToken() }), 'outer_signed'],
    ['empty user claims', () => exchange.userToken({}), 'user_claims'],
    ['control character in a user claim', () => exchange.userToken({ upn: 'a@contoso.com\r\nx-s2s-partner: hr' }), 'claim_value'],
    ['JWE (5 segments)', () => `${b64u('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a.b.c.d`, 'malformed'],
    ['bad base64url', () => `${exchange.actorToken()}$`, 'malformed'],
    ['too large', () => exchange.actorToken({ pad: 'x'.repeat(9000) }), 'too_large'],
  ]

  it.each(cases)('%s', async (label, build, reason) => {
    const res = await call(build())
    expect(res.status, label).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(`${CHALLENGE},error="invalid_token"`)
    expect(await res.json()).toEqual({ error: 'invalid_token', message: 'token rejected' })
    expect(upstream.seen).toHaveLength(0)
    const logged = gw.logs().filter((l) => l['reason'] === reason)
    expect(logged.length, `log has reason ${reason}`).toBeGreaterThan(0)
    // and the gateway still serves the next good request
    expect((await call(exchange.actorToken())).status).toBe(200)
  })
})

describe('trust levels: 403 only after full verification', () => {
  it('an application-trust partner may call as itself', async () => {
    const res = await call(hr.actorToken({ trustedfordelegation: undefined }))
    expect(res.status).toBe(200)
    expect(upstream.seen[0]?.headers['x-s2s-partner']).toBe('hr-addin')
    expect(upstream.seen[0]?.headers['x-s2s-trust-level']).toBe('application')
  })

  it('an application-trust partner sending a user token gets 403', async () => {
    const res = await call(hr.userToken({ upn: 'alice@contoso.com' }))
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'forbidden', message: 'not allowed' })
    expect(upstream.seen).toHaveLength(0)
  })

  it.each([
    ['"false"', 'false'],
    ['absent', undefined],
  ])('a full-trust user token with trustedfordelegation %s gets 403', async (_label, value) => {
    const res = await call(exchange.userToken({ upn: 'alice@contoso.com' }, {}, { trustedfordelegation: value }))
    expect(res.status).toBe(403)
    expect(upstream.seen).toHaveLength(0)
  })

  it('the same forged user token signed by a rogue key is 401, not 403 (no oracle)', async () => {
    const forged = wrapRaw({ ...exchange.actorClaims(), upn: 'alice@contoso.com', actortoken: hr.actorToken({}, {}, rogue.cert.privateKey) })
    expect((await call(forged)).status).toBe(401)
  })
})

describe('a metadata partner registered with realm "*" (docs/PROTOCOL.md §4.4, §8)', () => {
  it('accepts its tokens naming one of our realms, whatever realm its document names, and refuses any other', async () => {
    const OURS = 'fabrikam.com' // the partner's document names contoso.com
    const other = await startTestGateway(upstream.url, {
      service: { id: SERVICE_ID, name: 'Test API', realm: OURS, realmAliases: [`sip.${OURS}`], publicHosts: [PUBLIC_HOST] },
      partners: [metadataPartner('exchange', meta.url, { applicationId: exchange.id, realm: '*' })],
    })
    const inRealm = (realm: string, audRealm = realm): string =>
      exchange.actorToken({ iss: `${exchange.id}@${realm}`, nameid: `${exchange.id}@${realm}`, aud: `${SERVICE_ID}/${PUBLIC_HOST}@${audRealm}` })
    const send = (token: string) => fetch(`${other.url}/api/items`, { headers: { authorization: `Bearer ${token}` } })
    try {
      const ok = await send(inRealm(OURS))
      expect(ok.status).toBe(200)
      expect(upstream.seen.at(-1)?.headers['x-s2s-realm']).toBe(OURS)
      expect((await send(inRealm(`sip.${OURS}`))).status).toBe(200)
      // Not anything: the document's own realm is not one of ours, and a "*" in a token matches nothing.
      expect((await send(inRealm(REALM, OURS))).status).toBe(401)
      expect((await send(inRealm('*', OURS))).status).toBe(401)
      const reasons = other.logs().filter((l) => l['msg'] === 'request' && l['reason'] !== undefined).map((l) => l['reason'])
      expect(reasons).toEqual(['issuer_realm', 'issuer_realm'])
      // trusted_issuers names it as registered: its id in any of our realms.
      expect((await fetch(`${other.url}/x`)).headers.get('www-authenticate')).toContain(`trusted_issuers="${exchange.id}@*"`)
    } finally {
      await other.close()
    }
  })
})

describe('the challenge', () => {
  it('no token: 401 with realm first, client_id, trusted_issuers and no error attribute', async () => {
    const res = await call(undefined)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(CHALLENGE)
    expect(await res.json()).toEqual({ error: 'unauthorized', message: 'bearer token required' })
  })

  it('an empty "Authorization: Bearer " provokes the same challenge', async () => {
    const res = await fetch(`${gw.url}/_vti_bin/client.svc`, { headers: { authorization: 'Bearer ' } })
    expect(res.status).toBe(401)
    const header = res.headers.get('www-authenticate') ?? ''
    // TokenHelper's GetRealmFromTargetUrl reads what follows `Bearer realm="`.
    expect(header.startsWith(`Bearer realm="${REALM}"`)).toBe(true)
  })

  it('challenge.listTrustedIssuers: false hides the partner list', async () => {
    const other = await startTestGateway(upstream.url, { challenge: { listTrustedIssuers: false }, partners: [metadataPartner('exchange', meta.url)] })
    try {
      const res = await fetch(`${other.url}/x`)
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}",client_id="${SERVICE_ID}",trusted_issuers=""`)
    } finally {
      await other.close()
    }
  })

  it('lists a partner pinned by applicationId alone once its document loads, though a 401 was answered before', async () => {
    const own = await startMetadataServer(exchange)
    own.down = true
    const other = await startTestGateway(upstream.url, { partners: [metadataPartner('exchange', own.url, { applicationId: exchange.id })] })
    try {
      await other.running.gateway.warmUp()
      // Its realm is unknown while its metadata is down, so it cannot be listed yet (§5.4).
      expect((await fetch(`${other.url}/x`)).headers.get('www-authenticate')).toContain('trusted_issuers=""')
      own.down = false
      await other.running.gateway.holder.current.registry.all()[0]?.refreshNow()
      // Exchange self-issues only when it finds its own issuer here (§5.3).
      expect((await fetch(`${other.url}/x`)).headers.get('www-authenticate')).toContain(`trusted_issuers="${exchange.id}@${REALM}"`)
      expect((await fetch(`${other.url}/x`, { headers: { authorization: `Bearer ${exchange.actorToken()}` } })).status).toBe(200)
    } finally {
      await other.close()
      await own.close()
    }
  })
})
