// Security suite, signature and algorithm (issue 5 §1): alg none/None/NONE, HS256 with the partner's public
// material as the secret, PS256/ES256/RS384, stripped, truncated and spliced signatures, rogue keys behind the right
// x5t, our own certificate and other partners' keys, and keys offered by the token itself (jku, x5u, jwk, x5c).
import { createPublicKey, sign } from 'node:crypto'
import { afterAll, beforeAll, describe } from 'vitest'
import { mintActorToken } from '../../src/issuer/mint.js'
import { b64u, nowSec, REALM, SERVICE_ID, signRaw, wrapRaw } from '../helpers/tokens.js'
import { es256, hmacWith, jws, pssWith } from '../unit/tokens/forge.js'
import { securityTally } from './report.js'
import { bearer, expectAccepted, expectRefused, send, startWorld, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await startWorld()
})
afterAll(async () => {
  await w?.close()
})

const tally = securityTally('signature', import.meta.url)
const refuse = (token: () => string, reason: string) => () => expectRefused(w, () => send(w, '/api/items', [bearer(token())]), 401, { reason })
const rsa = (key: () => import('node:crypto').KeyObject) => (input: string) => sign('sha256', Buffer.from(input), key())
const claims = () => w.exchange.actorClaims()
const header = (extra: Record<string, unknown> = {}) => ({ typ: 'JWT', alg: 'RS256', x5t: w.exchange.cert.x5t, ...extra })
const segments = (token: string): [string, string, string] => token.split('.') as [string, string, string]

describe('alg none and unsigned tokens', () => {
  for (const alg of ['none', 'None', 'NONE']) {
    tally.attack('signature', `actor token with alg "${alg}" and no signature`, refuse(() => wrapRaw(claims(), { typ: 'JWT', alg }), 'outer_no_actortoken'))
  }
  tally.attack('signature', 'alg rewritten to none with the real signature kept', refuse(() => {
    const [, payload, sig] = segments(w.exchange.actorToken())
    return `${b64u(JSON.stringify({ typ: 'JWT', alg: 'none' }))}.${payload}.${sig}`
  }, 'outer_signed'))
  tally.attack('signature', 'CVE-2023-29357 shape: unsigned hashedprooftoken with a host-less aud', refuse(() => wrapRaw({
    aud: `00000003-0000-0ff1-ce00-000000000000@${REALM}`, iss: `00000003-0000-0ff1-ce00-000000000000`, nbf: nowSec() - 60, exp: nowSec() + 3600,
    ver: 'hashedprooftoken', nameid: `${w.exchange.id}@${REALM}`, endpointurl: 'x', endpointurlLength: 1, isloopback: true,
  }), 'outer_no_actortoken'))
})

describe('algorithm confusion', () => {
  tally.attack('signature', 'alg "rs256" (wrong case) signed with the real key', refuse(() => jws(header({ alg: 'rs256' }), claims(), rsa(() => w.exchange.cert.privateKey)), 'alg_not_allowed'))
  tally.attack('signature', 'alg "RS256 " (trailing space) signed with the real key', refuse(() => jws(header({ alg: 'RS256 ' }), claims(), rsa(() => w.exchange.cert.privateKey)), 'alg_not_allowed'))
  tally.attack('signature', 'HS256 with the partner certificate PEM as the HMAC secret', refuse(() => jws(header({ alg: 'HS256' }), claims(), hmacWith(w.exchange.cert.certPem)), 'alg_not_allowed'))
  tally.attack('signature', 'HS256 with the partner public key (SPKI PEM) as the HMAC secret', refuse(() => {
    const spki = createPublicKey(w.exchange.cert.certPem).export({ type: 'spki', format: 'pem' }).toString()
    return jws(header({ alg: 'HS256' }), claims(), hmacWith(spki))
  }, 'alg_not_allowed'))
  tally.attack('signature', 'HS256 with the base64 DER published in the metadata document as the secret', refuse(() => jws(header({ alg: 'HS256' }), claims(), hmacWith(w.exchange.cert.der.toString('base64'))), 'alg_not_allowed'))
  tally.attack('signature', 'PS256 signed with the real partner key', refuse(() => jws(header({ alg: 'PS256' }), claims(), pssWith(w.exchange.cert.privateKey)), 'alg_not_allowed'))
  tally.attack('signature', 'RS384 signed with the real partner key', refuse(() => jws(header({ alg: 'RS384' }), claims(), (i) => sign('sha384', Buffer.from(i), w.exchange.cert.privateKey)), 'alg_not_allowed'))
  tally.attack('signature', 'ES256 with an attacker key', refuse(() => jws(header({ alg: 'ES256' }), claims(), es256), 'alg_not_allowed'))
  tally.attack('signature', 'alg RS256 in the header but an RSA-PSS signature by the real key', refuse(() => jws(header(), claims(), pssWith(w.exchange.cert.privateKey)), 'signature'))
  tally.attack('signature', 'no alg at all', refuse(() => jws({ typ: 'JWT', x5t: w.exchange.cert.x5t }, claims(), rsa(() => w.exchange.cert.privateKey)), 'malformed'))
  tally.attack('signature', 'alg as an array ["RS256"]', refuse(() => jws(header({ alg: ['RS256'] }), claims(), rsa(() => w.exchange.cert.privateKey)), 'malformed'))
  tally.attack('signature', 'duplicate alg in the header ("none" then "RS256"), signed with the real key', refuse(() => {
    const head = b64u(`{"typ":"JWT","alg":"none","alg":"RS256","x5t":"${w.exchange.cert.x5t}"}`)
    const input = `${head}.${b64u(JSON.stringify(claims()))}`
    return `${input}.${sign('sha256', Buffer.from(input), w.exchange.cert.privateKey).toString('base64url')}`
  }, 'malformed'))
})

describe('damaged signatures', () => {
  tally.attack('signature', 'stripped signature (header.payload.)', refuse(() => {
    const [h, p] = segments(w.exchange.actorToken())
    return `${h}.${p}.`
  }, 'signature'))
  // 342 -> 332 characters: still canonical base64url, so it is the signature check that refuses it
  tally.attack('signature', 'truncated signature', refuse(() => w.exchange.actorToken().slice(0, -10), 'signature'))
  tally.attack('signature', 'one signature character changed', refuse(() => {
    const [h, p, s] = segments(w.exchange.actorToken())
    const i = 100
    return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`
  }, 'signature'))
  tally.attack('signature', "another valid token's signature spliced onto changed claims", refuse(() => {
    const [h, p] = segments(w.exchange.actorToken({ trustedfordelegation: 'false' }))
    const [, , s] = segments(w.exchange.actorToken())
    return `${h}.${p}.${s}`
  }, 'signature'))
  tally.attack('signature', 'payload changed after signing (claims edited, signature kept)', refuse(() => {
    const [h, , s] = segments(w.exchange.actorToken())
    return `${h}.${b64u(JSON.stringify({ ...claims(), exp: nowSec() + 80_000 }))}.${s}`
  }, 'signature'))
})

describe('the wrong key', () => {
  tally.attack('signature', 'rogue key behind the right x5t', refuse(() => w.exchange.actorToken({}, {}, w.rogue.cert.privateKey), 'signature'))
  tally.attack('signature', 'rogue key with its own x5t, claiming to be Exchange', refuse(() => w.rogue.actorToken(), 'signature'))
  tally.attack('signature', "x5t naming the gateway's own certificate, signed with the gateway's own key", refuse(() => w.exchange.actorToken({}, { x5t: w.gw.issuerCert.x5t }, w.gw.issuerCert.privateKey), 'signature'))
  tally.attack('signature', "x5t naming the gateway's own certificate with a garbage signature (SharePoint 2026 advisory shape)", refuse(() => {
    const [h, p] = segments(w.exchange.actorToken({}, { x5t: w.gw.issuerCert.x5t }))
    return `${h}.${p}.${b64u(Buffer.alloc(256, 7))}`
  }, 'signature'))
  tally.attack('signature', "a token self-issued with the gateway's own key (iss = the gateway)", refuse(() => signRaw(
    { typ: 'JWT', alg: 'RS256', x5t: w.gw.issuerCert.x5t },
    { ...claims(), iss: `${SERVICE_ID}@${REALM}`, nameid: `${SERVICE_ID}@${REALM}` },
    w.gw.issuerCert.privateKey,
  ), 'issuer_unknown'))
  tally.attack('signature', 'an outbound token the gateway minted for a partner, replayed inbound', async () => {
    const token = await mintActorToken(
      { privateKey: w.gw.issuerCert.privateKey, x5t: w.gw.issuerCert.x5t },
      { issuer: `${SERVICE_ID}@${REALM}`, audience: `${w.exchange.id}/autodiscover.contoso.com@${REALM}`, nbf: nowSec() - 60, exp: nowSec() + 3600 },
    )
    await expectRefused(w, send(w, '/api/items', [bearer(token)]), 401, { reason: 'aud_principal' })
  })
  tally.attack('signature', "x5t and key of another registered partner (hr-addin), iss Exchange", refuse(() => w.exchange.actorToken({}, { x5t: w.hr.cert.x5t }, w.hr.cert.privateKey), 'signature'))
  tally.attack('signature', "iss of the application partner hr-addin, signed with Exchange's real key", refuse(() => w.hr.actorToken({}, { x5t: w.exchange.cert.x5t }, w.exchange.cert.privateKey), 'signature'))
  tally.attack('signature', "iss of the metadata partner lync, signed with Exchange's real key", refuse(() => w.lync.actorToken({}, { x5t: w.exchange.cert.x5t }, w.exchange.cert.privateKey), 'signature'))
})

describe('keys offered by the token', () => {
  const attackerJwk = () => createPublicKey(w.rogue.cert.certPem).export({ format: 'jwk' })
  tally.attack('signature', 'jku pointing at attacker keys, signed by the attacker', refuse(() => w.exchange.actorToken({}, { jku: 'https://attacker.example/keys' }, w.rogue.cert.privateKey), 'header_not_allowed'))
  tally.attack('signature', 'x5u pointing at an attacker certificate, signed by the attacker', refuse(() => w.exchange.actorToken({}, { x5u: 'https://attacker.example/cert.pem' }, w.rogue.cert.privateKey), 'header_not_allowed'))
  tally.attack('signature', 'embedded jwk with the attacker key, signed by the attacker', refuse(() => w.exchange.actorToken({}, { jwk: attackerJwk() }, w.rogue.cert.privateKey), 'header_not_allowed'))
  tally.attack('signature', 'embedded x5c with the attacker certificate, signed by the attacker', refuse(() => w.exchange.actorToken({}, { x5c: [w.rogue.cert.der.toString('base64')] }, w.rogue.cert.privateKey), 'header_not_allowed'))
  tally.attack('signature', 'embedded jwk even when the real key signed (keys never come from the token)', refuse(() => w.exchange.actorToken({}, { jwk: attackerJwk() }), 'header_not_allowed'))
  tally.attack('signature', 'crit ["exp"]', refuse(() => w.exchange.actorToken({}, { crit: ['exp'], exp: 1 }), 'header_not_allowed'))
  tally.attack('signature', 'crit ["b64"] with an unencoded payload', refuse(() => w.exchange.actorToken({}, { crit: ['b64'], b64: false }), 'header_not_allowed'))
  tally.attack('signature', 'typ "at+jwt"', refuse(() => w.exchange.actorToken({}, { typ: 'at+jwt' }), 'header_not_allowed'))
  tally.attack('signature', 'x5t as a number', refuse(() => w.exchange.actorToken({}, { x5t: 12345 }), 'malformed'))
})

describe('positive controls and their rogue-signed twins', () => {
  const noX5t = (key = w.exchange.cert.privateKey) => signRaw({ typ: 'JWT', alg: 'RS256' }, claims(), key)
  const withKid = (key = w.exchange.cert.privateKey) => w.exchange.actorToken({}, { kid: Buffer.from(w.exchange.cert.x5t, 'base64url').toString('hex').toUpperCase() }, key)

  tally.control('signature', 'lower-case "bearer" scheme, correctly signed: accepted', () => expectAccepted(w, send(w, '/api/items', [`Authorization: bearer ${w.exchange.actorToken()}`])))
  tally.attack('signature', 'lower-case "bearer" scheme, rogue signature', refuse(() => w.exchange.actorToken({}, {}, w.rogue.cert.privateKey), 'signature'))
  tally.control('signature', 'upper-case "BEARER" scheme, correctly signed: accepted', () => expectAccepted(w, send(w, '/api/items', [`Authorization: BEARER ${w.exchange.actorToken()}`])))
  tally.attack('signature', 'upper-case "BEARER" scheme, rogue signature', () =>
    expectRefused(w, send(w, '/api/items', [`Authorization: BEARER ${w.exchange.actorToken({}, {}, w.rogue.cert.privateKey)}`]), 401, { reason: 'signature' }))
  tally.control('signature', 'no x5t (every key of the partner tried), correctly signed: accepted', () => expectAccepted(w, send(w, '/api/items', [bearer(noX5t())])))
  tally.attack('signature', 'no x5t, rogue signature', refuse(() => noX5t(w.rogue.cert.privateKey), 'signature'))
  tally.control('signature', 'a kid header (ignored, never used to pick keys), correctly signed: accepted', () => expectAccepted(w, send(w, '/api/items', [bearer(withKid())])))
  tally.attack('signature', 'a kid header naming the partner thumbprint, rogue signature', refuse(() => withKid(w.rogue.cert.privateKey), 'signature'))
  tally.control('signature', 'no typ header, correctly signed: accepted', () => expectAccepted(w, send(w, '/api/items', [bearer(signRaw({ alg: 'RS256', x5t: w.exchange.cert.x5t }, claims(), w.exchange.cert.privateKey))])))
  tally.attack('signature', 'no typ header, rogue signature', refuse(() => signRaw({ alg: 'RS256', x5t: w.exchange.cert.x5t }, claims(), w.rogue.cert.privateKey), 'signature'))
})
