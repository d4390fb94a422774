// Security suite, authorization-server tokens (issue 7, docs/PROTOCOL.md §6, §7): a token signed by a configured
// authorization server is accepted only for a partner configured with THAT server, naming it in the server's own
// realm, with aud realm = iss realm and no "*" anywhere in the token; only the server's keys verify it (never a
// partner's, never ours, never an HMAC over its certificate); it is never accepted inside an alg-none wrapper; and
// a partner's self-issued token cannot pass for the server's. Two stand-in servers run on loopback: "acs" (realm
// contoso.com) and "acs-fabrikam" (realm fabrikam.com, one of our realm aliases), each with its own key. Outbound,
// a partner reached through "acs" cannot be made to ask the server for another resource, nor to act as a user.
import { createPublicKey, sign } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { ACS_ID, authServerEntry, startAuthServer, type AuthServer } from '../helpers/auth-server.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { SHAREPOINT_ID } from '../helpers/partner-stub.js'
import { b64u, EXCHANGE_ID, makeTestPartner, nowSec, PUBLIC_HOST, REALM, SERVICE_ID, signRaw, wrapRaw, type TestPartner } from '../helpers/tokens.js'
import { call, listenWithOutbound } from '../integration/outbound-call.js'
import { hmacWith, jws, pssWith } from '../unit/tokens/forge.js'
import { securityTally } from './report.js'
import { bearer, expectAccepted, expectNeutralised, expectRefused, HR_ID, identity, LYNC_ID, send, startWorld, type World } from './world.js'

const FABRIKAM = 'fabrikam.com'
const CRM_ID = '33333333-4444-5555-6666-777777777777'
const UNREGISTERED_ID = '99999999-8888-7777-6666-555555555555'
const PUID = '10037ffe8abc1234'

let w: World
let acs: AuthServer
let fabrikam: AuthServer
let spo: EchoUpstream
let stranger: TestPartner
let out: string

beforeAll(async () => {
  ;[acs, fabrikam, spo, stranger] = await Promise.all([startAuthServer(), startAuthServer({ realm: FABRIKAM }), startEchoUpstream(), makeTestPartner({ id: SHAREPOINT_ID })])
  w = await startWorld(
    {
      service: { id: SERVICE_ID, name: 'Test API', realm: REALM, realmAliases: [FABRIKAM], publicHosts: [PUBLIC_HOST, `${PUBLIC_HOST}:8443`] },
      listen: listenWithOutbound(),
      authorizationServers: [authServerEntry('acs', acs), authServerEntry('acs-fabrikam', fabrikam)],
    },
    {
      partners: [
        // Hybrid: on-prem Exchange (the world's "exchange", self-issued) and Exchange Online share the application id.
        { name: 'exchange-online', applicationId: EXCHANGE_ID, realm: '*', authorizationServer: 'acs', trustLevel: 'full' },
        { name: 'sharepoint-online', applicationId: SHAREPOINT_ID, realm: REALM, authorizationServer: 'acs', trustLevel: 'full', outbound: { url: spo.url } },
        { name: 'lync-online', applicationId: LYNC_ID, realm: REALM, authorizationServer: 'acs', trustLevel: 'application' },
        { name: 'crm-fabrikam', applicationId: CRM_ID, realm: FABRIKAM, authorizationServer: 'acs-fabrikam', trustLevel: 'full' },
      ],
    },
  )
  out = w.gw.running.outboundUrl ?? ''
  for (const server of [acs, fabrikam]) server.gatewayMetadataUrl = `${w.gw.url}/metadata/json/1`
})
afterAll(async () => {
  await w?.close()
  await Promise.all([acs?.close(), fabrikam?.close(), spo?.close()])
})

const tally = securityTally('authorization-server', import.meta.url)

/** 401 with the precise reason in the log, the backend untouched, and the next good request served. */
const refuse = (token: () => string, reason: string) => () => expectRefused(w, () => send(w, '/api/items', [bearer(token())]), 401, { reason })
const audFor = (realm: string) => `${SERVICE_ID}/${PUBLIC_HOST}@${realm}`
/** A token with the server's claims and header, signed by `signer` over the exact signing input. */
const header = (server: AuthServer, extra: Record<string, unknown> = {}) => ({ typ: 'JWT', alg: 'RS256', x5t: server.cert.x5t, ...extra })
const rsa = (key: import('node:crypto').KeyObject) => (input: string) => sign('sha256', Buffer.from(input), key)

/** What the backend must see for a verified token of a server. */
function viaServer(o: { partner: string; id: string; trust: string; type: 'app' | 'user'; server: string; realm?: string; user?: Record<string, string> }): Array<[string, string]> {
  const pairs = identity(o).map(([name, value]): [string, string] => (name === 'x-s2s-realm' ? [name, o.realm ?? REALM] : [name, value]))
  pairs.push(['x-s2s-issuer', o.server])
  return pairs.sort(([a], [b]) => a.localeCompare(b))
}

describe('positive controls: the server\'s tokens, correctly signed and addressed', () => {
  tally.control('authz', 'an app-only token of "acs" for a partner configured with it', () =>
    expectAccepted(w, () => send(w, '/api/items', [bearer(acs.appToken(SHAREPOINT_ID))]), viaServer({ partner: 'sharepoint-online', id: SHAREPOINT_ID, trust: 'full', type: 'app', server: 'acs' })))
  tally.control('authz', 'a user token of "acs" (nameid = PUID, actor = the application) for a full-trust partner', () =>
    expectAccepted(w, () => send(w, '/api/items', [bearer(acs.userToken(EXCHANGE_ID, { nameid: PUID, upn: 'alice@contoso.com' }))]),
      viaServer({ partner: 'exchange-online', id: EXCHANGE_ID, trust: 'full', type: 'user', server: 'acs', user: { nameid: PUID, nii: 'urn:federation:microsoftonline', upn: 'alice@contoso.com' } })))
  tally.control('authz', 'an app-only token of "acs-fabrikam" for its own partner, in its realm', () =>
    expectAccepted(w, () => send(w, '/api/items', [bearer(fabrikam.appToken(CRM_ID))]), viaServer({ partner: 'crm-fabrikam', id: CRM_ID, trust: 'full', type: 'app', server: 'acs-fabrikam', realm: FABRIKAM })))
  tally.control('authz', 'an app-only token of "acs" with string dates (as ACS writes them)', () =>
    expectAccepted(w, () => send(w, '/api/items', [bearer(acs.appToken(SHAREPOINT_ID, { nbf: String(nowSec() - 60), exp: String(nowSec() + 3600) }))]),
      viaServer({ partner: 'sharepoint-online', id: SHAREPOINT_ID, trust: 'full', type: 'app', server: 'acs' })))
})

describe('the partner the token names must be configured with that server', () => {
  tally.attack('authz', 'signed by "acs", naming a registered partner not configured with any server (hr-addin)', refuse(() => acs.appToken(HR_ID), 'authz_actor'))
  tally.attack('authz', 'signed by "acs", a user token whose actor is a partner not configured with any server (hr-addin)', refuse(() => acs.userToken(HR_ID, { nameid: PUID, upn: 'alice@contoso.com' }), 'authz_actor'))
  tally.attack('authz', 'signed by "acs", naming an unregistered client id', refuse(() => acs.appToken(UNREGISTERED_ID), 'authz_actor'))
  tally.attack('authz', 'signed by "acs", a user token whose actor is an unregistered client id', refuse(() => acs.userToken(UNREGISTERED_ID, { nameid: PUID, upn: 'alice@contoso.com' }), 'authz_actor'))
  tally.attack('authz', 'signed by "acs", naming our own service id as the client', refuse(() => acs.appToken(SERVICE_ID), 'authz_actor'))
  tally.attack('authz', 'signed by "acs", naming the server itself as the client', refuse(() => acs.appToken(ACS_ID), 'authz_actor'))
  tally.attack('authz', 'signed by "acs", naming a partner configured with a DIFFERENT server (crm-fabrikam)', refuse(() => acs.appToken(CRM_ID), 'authz_actor'))
  tally.attack('authz', 'signed by "acs-fabrikam", naming a partner configured with "acs" (sharepoint-online)', refuse(() => fabrikam.appToken(SHAREPOINT_ID), 'authz_actor'))
  tally.attack('authz', 'signed by "acs-fabrikam", naming "acs"\'s partner in contoso.com (iss still fabrikam)', refuse(() => fabrikam.appToken(`${SHAREPOINT_ID}@${REALM}`), 'authz_actor'))
  tally.attack('authz', 'signed by "acs" but claiming to be "acs-fabrikam" (its iss and realm), naming its partner', refuse(() =>
    signRaw(header(acs), fabrikam.appClaims(CRM_ID), acs.cert.privateKey), 'signature'))
  tally.attack('authz', 'signed by "acs-fabrikam" but claiming to be "acs", naming "acs"\'s partner', refuse(() =>
    signRaw(header(fabrikam), acs.appClaims(SHAREPOINT_ID), fabrikam.cert.privateKey), 'signature'))
  tally.attack('authz', 'the claims of an application-trust partner\'s token edited to name a full-trust one after signing', refuse(() => {
    const [h, , s] = acs.appToken(LYNC_ID).split('.')
    return `${h}.${b64u(JSON.stringify(acs.appClaims(SHAREPOINT_ID)))}.${s}`
  }, 'signature'))
  tally.attack('authz', 'a user token of "acs" for an application-trust partner: 403 after full verification', () =>
    expectRefused(w, () => send(w, '/api/items', [bearer(acs.userToken(LYNC_ID, { nameid: PUID, upn: 'alice@contoso.com' }))]), 403))
})

describe('realms: aud realm = iss realm = the client\'s realm, never "*"', () => {
  tally.attack('authz', 'aud realm other than iss realm (aud fabrikam.com, iss contoso.com)', refuse(() => acs.appToken(SHAREPOINT_ID, { aud: audFor(FABRIKAM) }), 'issuer_realm'))
  tally.attack('authz', 'the client named in another realm than iss (nameid sharepoint@fabrikam.com)', refuse(() => acs.appToken(`${SHAREPOINT_ID}@${FABRIKAM}`), 'authz_actor'))
  tally.attack('authz', 'iss naming "acs" in the other server\'s realm, signed by "acs" (fabrikam.com throughout)', refuse(() =>
    acs.appToken(`${SHAREPOINT_ID}@${FABRIKAM}`, { iss: `${ACS_ID}@${FABRIKAM}`, aud: audFor(FABRIKAM) }), 'authz_actor'))
  tally.attack('authz', 'iss realm "*" (the wildcard inside a token)', refuse(() => acs.appToken(`${SHAREPOINT_ID}@*`, { iss: `${ACS_ID}@*`, aud: audFor('*') }), 'issuer_realm'))
  tally.attack('authz', 'aud realm "*"', refuse(() => acs.appToken(SHAREPOINT_ID, { aud: audFor('*') }), 'aud_realm'))
  tally.attack('authz', 'client realm "*" (nameid sharepoint@*)', refuse(() => acs.appToken(`${SHAREPOINT_ID}@*`), 'authz_actor'))
  tally.attack('authz', 'a user token whose actor realm is "*"', refuse(() => acs.userToken(`${EXCHANGE_ID}@*`, { nameid: PUID, upn: 'alice@contoso.com' }), 'authz_actor'))
  tally.attack('authz', 'a realm that is not ours throughout (iss, aud and client in evil.example)', refuse(() =>
    acs.appToken(`${SHAREPOINT_ID}@evil.example`, { iss: `${ACS_ID}@evil.example`, aud: audFor('evil.example') }), 'aud_realm'))
  tally.attack('authz', 'iss with an empty realm', refuse(() => acs.appToken(SHAREPOINT_ID, { iss: `${ACS_ID}@` }), 'issuer_malformed'))
  tally.attack('authz', 'nameid without a realm', refuse(() => acs.appToken(SHAREPOINT_ID, { nameid: SHAREPOINT_ID }), 'nameid'))
  tally.attack('authz', 'aud without a host (the CVE-2023-29357 shape)', refuse(() => acs.appToken(SHAREPOINT_ID, { aud: `${SERVICE_ID}@${REALM}` }), 'aud_malformed'))
  tally.attack('authz', 'aud for another host', refuse(() => acs.appToken(SHAREPOINT_ID, { aud: `${SERVICE_ID}/evil.example@${REALM}` }), 'aud_host'))
  tally.attack('authz', 'aud for another principal (SharePoint\'s)', refuse(() => acs.appToken(SHAREPOINT_ID, { aud: `${SHAREPOINT_ID}/${PUBLIC_HOST}@${REALM}` }), 'aud_principal'))
  tally.attack('authz', 'aud as an array holding ours', refuse(() => acs.appToken(SHAREPOINT_ID, { aud: [audFor(REALM)] }), 'aud_malformed'))
})

describe('only the server\'s own keys verify its tokens', () => {
  tally.attack('authz', 'the server\'s x5t with a signature from a rogue key', refuse(() => acs.appToken(SHAREPOINT_ID, {}, w.rogue.cert.privateKey), 'signature'))
  tally.attack('authz', 'the server\'s x5t with a signature from a registered partner\'s key', refuse(() => acs.appToken(SHAREPOINT_ID, {}, w.exchange.cert.privateKey), 'signature'))
  tally.attack('authz', 'a registered partner\'s x5t and key on the server\'s claims', refuse(() => signRaw(header(acs, { x5t: w.exchange.cert.x5t }), acs.appClaims(SHAREPOINT_ID), w.exchange.cert.privateKey), 'signature'))
  tally.attack('authz', 'our own certificate\'s x5t and key on the server\'s claims', refuse(() => signRaw(header(acs, { x5t: w.gw.issuerCert.x5t }), acs.appClaims(SHAREPOINT_ID), w.gw.issuerCert.privateKey), 'signature'))
  tally.attack('authz', 'the other server\'s x5t and key on "acs" claims', refuse(() => signRaw(header(fabrikam), acs.appClaims(SHAREPOINT_ID), fabrikam.cert.privateKey), 'signature'))
  tally.attack('authz', 'no x5t and a rogue signature', refuse(() => signRaw({ typ: 'JWT', alg: 'RS256' }, acs.appClaims(SHAREPOINT_ID), w.rogue.cert.privateKey), 'signature'))
  tally.attack('authz', 'HS256 with the server\'s certificate PEM as the HMAC secret', refuse(() => jws(header(acs, { alg: 'HS256' }), acs.appClaims(SHAREPOINT_ID), hmacWith(acs.cert.certPem)), 'alg_not_allowed'))
  tally.attack('authz', 'HS256 with the base64 DER of the server\'s metadata document as the secret', refuse(() => jws(header(acs, { alg: 'HS256' }), acs.appClaims(SHAREPOINT_ID), hmacWith(acs.cert.der.toString('base64'))), 'alg_not_allowed'))
  tally.attack('authz', 'HS256 with the server\'s public key (SPKI PEM) as the secret', refuse(() => {
    const spki = createPublicKey(acs.cert.certPem).export({ type: 'spki', format: 'pem' }).toString()
    return jws(header(acs, { alg: 'HS256' }), acs.appClaims(SHAREPOINT_ID), hmacWith(spki))
  }, 'alg_not_allowed'))
  tally.attack('authz', 'PS256 signed with the server\'s real key', refuse(() => jws(header(acs, { alg: 'PS256' }), acs.appClaims(SHAREPOINT_ID), pssWith(acs.cert.privateKey)), 'alg_not_allowed'))
  tally.attack('authz', 'RS384 signed with the server\'s real key', refuse(() => jws(header(acs, { alg: 'RS384' }), acs.appClaims(SHAREPOINT_ID), (i) => sign('sha384', Buffer.from(i), acs.cert.privateKey)), 'alg_not_allowed'))
  tally.attack('authz', 'the server\'s token with its signature stripped', refuse(() => {
    const [h, p] = acs.appToken(SHAREPOINT_ID).split('.')
    return `${h}.${p}.`
  }, 'signature'))
  tally.attack('authz', 'the server\'s claims unsigned, alg none', refuse(() => wrapRaw(acs.appClaims(SHAREPOINT_ID)), 'outer_no_actortoken'))
  tally.attack('authz', 'a jku header on a token signed by the server', refuse(() => jws(header(acs, { jku: 'https://evil.example/keys' }), acs.appClaims(SHAREPOINT_ID), rsa(acs.cert.privateKey)), 'header_not_allowed'))
  tally.attack('authz', 'an x5c header carrying a rogue certificate, signed by that rogue key', refuse(() =>
    jws(header(acs, { x5c: [w.rogue.cert.der.toString('base64')], x5t: w.rogue.cert.x5t }), acs.appClaims(SHAREPOINT_ID), rsa(w.rogue.cert.privateKey)), 'header_not_allowed'))
})

describe('wrapping and nesting', () => {
  tally.attack('authz', 'the server\'s token wrapped in an alg-none outer token naming a user', refuse(() =>
    wrapRaw({ aud: audFor(REALM), iss: `${EXCHANGE_ID}@${REALM}`, nbf: nowSec() - 60, exp: nowSec() + 3600, upn: 'administrator@contoso.com', actortoken: acs.appToken(EXCHANGE_ID) }), 'authz_wrapped'))
  tally.attack('authz', 'the server\'s token wrapped in an alg-none outer token that claims the server as iss', refuse(() =>
    wrapRaw({ aud: audFor(REALM), iss: acs.issuer, nbf: nowSec() - 60, exp: nowSec() + 3600, nameid: PUID, actortoken: acs.appToken(EXCHANGE_ID) }), 'authz_wrapped'))
  tally.attack('authz', 'the server\'s user token wrapped again in an alg-none outer token', refuse(() =>
    wrapRaw({ aud: audFor(REALM), iss: `${EXCHANGE_ID}@${REALM}`, nbf: nowSec() - 60, exp: nowSec() + 3600, upn: 'administrator@contoso.com', actortoken: acs.userToken(EXCHANGE_ID, { nameid: PUID }) }), 'authz_wrapped'))
  tally.attack('authz', 'an actortoken nested inside a token signed by the server', refuse(() => acs.appToken(SHAREPOINT_ID, { actortoken: w.exchange.actorToken() }), 'outer_signed'))
})

describe('self-issued tokens cannot pass for the server\'s', () => {
  tally.attack('authz', 'a self-issued token claiming iss = the server, signed by a registered partner\'s key', refuse(() =>
    w.exchange.actorToken({ iss: acs.issuer, nameid: `${EXCHANGE_ID}@${REALM}` }), 'signature'))
  tally.attack('authz', 'a self-issued token claiming iss = the server, nameid = the server, signed by a partner\'s key', refuse(() =>
    w.exchange.actorToken({ iss: acs.issuer, nameid: acs.issuer }), 'authz_actor'))
  tally.attack('authz', 'a self-issued token from a partner known only through the server (its own key)', refuse(() => stranger.actorToken(), 'issuer_unknown'))
  tally.attack('authz', 'a registered partner\'s self-issued token in the other server\'s realm (fabrikam.com)', refuse(() =>
    w.exchange.actorToken({ iss: `${EXCHANGE_ID}@${FABRIKAM}`, nameid: `${EXCHANGE_ID}@${FABRIKAM}`, aud: audFor(FABRIKAM) }), 'issuer_realm'))
  tally.attack('authz', 'a registered partner\'s self-issued token with realm "*" (the server\'s multi-tenant form)', refuse(() =>
    w.exchange.actorToken({ iss: `${EXCHANGE_ID}@*`, nameid: `${EXCHANGE_ID}@*` }), 'issuer_realm'))
  tally.attack('authz', 'a registered partner\'s self-issued token naming the server as nameid', refuse(() => w.exchange.actorToken({ nameid: acs.issuer }), 'nameid'))
  tally.attack('authz', 'x-s2s-issuer spoofed by the client on a self-issued token: the backend sees none', () =>
    expectNeutralised(w, send(w, '/api/items', [bearer(w.exchange.actorToken()), 'x-s2s-issuer: acs', 'X_S2S_Issuer: acs']), identity({ partner: 'exchange', id: EXCHANGE_ID, trust: 'full', type: 'app' })))
  tally.attack('authz', 'x-s2s-issuer spoofed by the client on a server token: the backend sees the real one', () =>
    expectNeutralised(w, send(w, '/api/items', [bearer(acs.appToken(SHAREPOINT_ID)), 'x-s2s-issuer: acs-fabrikam']), viaServer({ partner: 'sharepoint-online', id: SHAREPOINT_ID, trust: 'full', type: 'app', server: 'acs' })))
})

describe('claims of the server\'s tokens', () => {
  tally.attack('authz', 'an expired token of the server', refuse(() => acs.appToken(SHAREPOINT_ID, { nbf: nowSec() - 7200, exp: nowSec() - 3600 }), 'expired'))
  tally.attack('authz', 'a token of the server valid only from next hour', refuse(() => acs.appToken(SHAREPOINT_ID, { nbf: nowSec() + 3600, exp: nowSec() + 7200 }), 'not_yet_valid'))
  tally.attack('authz', 'a token of the server living longer than tokens.maxLifetimeSec', refuse(() => acs.appToken(SHAREPOINT_ID, { nbf: nowSec() - 60, exp: nowSec() + 200_000 }), 'lifetime'))
  tally.attack('authz', 'a token of the server without exp', refuse(() => acs.appToken(SHAREPOINT_ID, { exp: undefined }), 'time_malformed'))
  tally.attack('authz', 'a user token of the server without nameid', refuse(() => acs.userToken(EXCHANGE_ID, { upn: 'alice@contoso.com' }), 'user_claims'))
  tally.attack('authz', 'a line feed in the client id', refuse(() => acs.appToken(`${SHAREPOINT_ID}\n@${REALM}`), 'nameid'))
  tally.attack('authz', 'a control character in the client realm', refuse(() => acs.appToken(`${SHAREPOINT_ID}@contoso\u0001.com`), 'claim_value'))
  tally.attack('authz', 'iss as an array', refuse(() => acs.appToken(SHAREPOINT_ID, { iss: [acs.issuer] }), 'issuer_malformed'))
})

describe('outbound through the server', () => {
  const reset = () => {
    spo.seen.length = 0
    spo.handler = undefined
  }
  tally.attack('authz', 'act-as headers for a partner reached through the server: 403, the server is not asked', async () => {
    reset()
    const before = acs.requests.length
    const res = await call(out, '/sharepoint-online/_api/me', { headers: { 'x-s2s-act-as-upn': 'administrator@contoso.com' } })
    expect(res.status).toBe(403)
    expect(res.json).toMatchObject({ code: 'GW_OUTBOUND_AUTHZ_USER', partner: 'sharepoint-online' })
    expect(acs.requests.length).toBe(before)
    expect(spo.seen).toEqual([])
  })
  tally.attack('authz', 'a partner challenge naming another client_id and realm cannot make us ask the server for another resource', async () => {
    reset()
    let calls = 0
    spo.handler = (req, res: ServerResponse) => {
      if (/^Bearer\s*$/.test(req.headers.authorization ?? '') || calls++ === 0) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${FABRIKAM}",client_id="${EXCHANGE_ID}",trusted_issuers="${acs.issuer}"`, 'content-length': '0' }).end()
        return
      }
      res.writeHead(200, { 'content-length': '2' }).end('ok')
    }
    const before = acs.requests.length
    const res = await call(out, '/sharepoint-online/_api/web', { method: 'POST', body: 'x' })
    expect(res.status).toBe(200)
    const resources = acs.requests.slice(before).map((r) => r.form['resource'])
    expect(resources.length).toBeGreaterThan(0)
    for (const resource of resources) expect(resource).toBe(`${SHAREPOINT_ID}/${new URL(spo.url).host}@${REALM}`)
    reset()
  })
})
