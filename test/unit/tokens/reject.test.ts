// Every docs/PROTOCOL.md §4 step's rejection, one table row each: the token next to the reason it must be refused for.
import { beforeAll, describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/errors/index.js'
import { b64u, EXCHANGE_ID, PUBLIC_HOST, REALM, SERVICE_ID, signRaw, wrapRaw } from '../../helpers/tokens.js'
import { es256, hmacWith, jws, pssWith, seg, withPayloadText } from './forge.js'
import { actor, makeHarness, makeWorld, MAX_LIFETIME, NOW, SKEW, times, userToken, type Harness, type World } from './world.js'

let w: World
let h: Harness
beforeAll(async () => {
  w = await makeWorld()
})

const ISS = `${EXCHANGE_ID}@${REALM}`
const AUD = `${SERVICE_ID}/${PUBLIC_HOST}@${REALM}`
/** Keys an error's detail may carry: names and numbers, never token text or claim values. */
const DETAIL_KEYS = new Set(['partner', 'x5t', 'claim', 'maxBytes', 'retryAfterSec', 'reason', 'internal'])

type Row = [name: string, build: (w: World) => string, reason: string]

async function expectRejected(token: string, reason: string): Promise<GatewayError> {
  h = makeHarness(w)
  const err = await h.validator.validate(token).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(GatewayError)
  const ge = err as GatewayError
  expect({ code: ge.code, reason: ge.reason }).toEqual({ code: 'GW_TOKEN_INVALID', reason })
  for (const [k, v] of Object.entries(ge.detail)) {
    expect(DETAIL_KEYS.has(k), `detail key ${k}`).toBe(true)
    expect(String(v).length).toBeLessThanOrEqual(40)
  }
  expect(ge.cause).toBeUndefined()
  return ge
}

const signatureAndAlg: Row[] = [
  ['standalone alg none (no actortoken)', (w) => wrapRaw(w.exchange.actorClaims(times)), 'outer_no_actortoken'],
  ['standalone alg None with a signature', (w) => wrapRaw(w.exchange.actorClaims(times), { alg: 'None' }, 'c2ln'), 'outer_signed'],
  ['actor alg none inside the wrapper', (w) => userToken(w.exchange, undefined, { actortoken: wrapRaw(w.exchange.actorClaims(times)) }), 'alg_not_allowed'],
  ['actor alg None inside the wrapper', (w) => userToken(w.exchange, undefined, { actortoken: wrapRaw(w.exchange.actorClaims(times), { alg: 'None' }) }), 'alg_not_allowed'],
  ['actor alg NONE inside the wrapper', (w) => userToken(w.exchange, undefined, { actortoken: wrapRaw(w.exchange.actorClaims(times), { alg: 'NONE' }) }), 'alg_not_allowed'],
  ['HS256 with the partner certificate as HMAC secret', (w) => jws({ typ: 'JWT', alg: 'HS256', x5t: w.exchange.cert.x5t }, w.exchange.actorClaims(times), hmacWith(w.exchange.cert.certPem)), 'alg_not_allowed'],
  ['HS256 actor inside the wrapper', (w) => userToken(w.exchange, undefined, { actortoken: jws({ alg: 'HS256' }, w.exchange.actorClaims(times), hmacWith(w.exchange.cert.certPem)) }), 'alg_not_allowed'],
  ['PS256 with the partner key', (w) => jws({ typ: 'JWT', alg: 'PS256', x5t: w.exchange.cert.x5t }, w.exchange.actorClaims(times), pssWith(w.exchange.cert.privateKey)), 'alg_not_allowed'],
  ['ES256', (w) => jws({ typ: 'JWT', alg: 'ES256', x5t: w.exchange.cert.x5t }, w.exchange.actorClaims(times), es256), 'alg_not_allowed'],
  ['rs256 in lower case', (w) => actor(w.exchange, {}, { alg: 'rs256' }), 'alg_not_allowed'],
  ['RS512', (w) => actor(w.exchange, {}, { alg: 'RS512' }), 'alg_not_allowed'],
  ['stripped signature', (w) => actor(w.exchange).replace(/\.[^.]*$/, '.'), 'signature'],
  ['truncated signature', (w) => truncateSignature(actor(w.exchange)), 'signature'],
  ['rogue key with the right x5t', (w) => actor(w.exchange, {}, {}, w.rogue.privateKey), 'signature'],
  ['rogue key, rogue x5t', (w) => actor(w.exchange, {}, { x5t: w.rogue.x5t }, w.rogue.privateKey), 'signature'],
  ['rogue key, no x5t', (w) => actor(w.exchange, {}, { x5t: undefined }, w.rogue.privateKey), 'signature'],
  ["another partner's key and x5t, our issuer", (w) => actor(w.exchange, {}, { x5t: w.lync.cert.x5t }, w.lync.cert.privateKey), 'signature'],
  ["the gateway's own certificate", (w) => actor(w.exchange, {}, { x5t: w.gateway.x5t }, w.gateway.privateKey), 'signature'],
  ['payload changed after signing', (w) => withPayloadText(actor(w.exchange), JSON.stringify(w.exchange.actorClaims({ ...times, nameid: ISS + 'x' }))), 'nameid'],
  ['payload changed after signing (valid claims)', (w) => withPayloadText(actor(w.exchange), JSON.stringify(w.exchange.actorClaims({ ...times, exp: NOW + 60 }))), 'signature'],
  ['jku header', (w) => actor(w.exchange, {}, { jku: 'https://evil.example/keys' }), 'header_not_allowed'],
  ['x5u header', (w) => actor(w.exchange, {}, { x5u: 'https://evil.example/cert.pem' }), 'header_not_allowed'],
  ['jwk header', (w) => actor(w.exchange, {}, { jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }), 'header_not_allowed'],
  ['x5c header', (w) => actor(w.exchange, {}, { x5c: [w.exchange.cert.der.toString('base64')] }), 'header_not_allowed'],
  ['crit header', (w) => actor(w.exchange, {}, { crit: ['exp'] }), 'header_not_allowed'],
  ['jku null is still present', (w) => actor(w.exchange, {}, { jku: null }), 'header_not_allowed'],
  ['typ JWS', (w) => actor(w.exchange, {}, { typ: 'JWS' }), 'header_not_allowed'],
  ['outer jku header', (w) => wrapRaw({}, { alg: 'none', jku: 'https://evil.example' }), 'header_not_allowed'],
  ['x5t not a string', (w) => actor(w.exchange, {}, { x5t: 42 }), 'malformed'],
]

const claims: Row[] = [
  ['unknown issuer', (w) => actor(w.exchange, { iss: `11111111-2222-3333-4444-555555555555@${REALM}`, nameid: `11111111-2222-3333-4444-555555555555@${REALM}` }), 'issuer_unknown'],
  ['wrong issuer realm', (w) => actor(w.exchange, { iss: `${EXCHANGE_ID}@fabrikam.com`, nameid: `${EXCHANGE_ID}@fabrikam.com` }), 'issuer_realm'],
  ["'*' as the issuer realm", (w) => actor(w.exchange, { iss: `${EXCHANGE_ID}@*`, nameid: `${EXCHANGE_ID}@*` }), 'issuer_realm'],
  ['iss without @', (w) => actor(w.exchange, { iss: EXCHANGE_ID }), 'issuer_malformed'],
  ['iss as an array', (w) => actor(w.exchange, { iss: [ISS] }), 'issuer_malformed'],
  ['iss missing', (w) => actor(w.exchange, { iss: undefined }), 'issuer_malformed'],
  ['iss with whitespace', (w) => actor(w.exchange, { iss: `${EXCHANGE_ID} @${REALM}` }), 'issuer_malformed'],
  ['iss realm with a control character', (w) => actor(w.exchange, { iss: `${EXCHANGE_ID}@contoso\u0001.com` }), 'claim_value'],
  ['wrong service id in aud', (w) => actor(w.exchange, { aud: `00000003-0000-0ff1-ce00-000000000000/${PUBLIC_HOST}@${REALM}` }), 'aud_principal'],
  ['wrong host in aud', (w) => actor(w.exchange, { aud: `${SERVICE_ID}/evil.contoso.com@${REALM}` }), 'aud_host'],
  ['wrong port in aud', (w) => actor(w.exchange, { aud: `${SERVICE_ID}/${PUBLIC_HOST}:8080@${REALM}` }), 'aud_host'],
  ['empty port in aud', (w) => actor(w.exchange, { aud: `${SERVICE_ID}/${PUBLIC_HOST}:@${REALM}` }), 'aud_host'],
  ['wrong realm in aud', (w) => actor(w.exchange, { aud: `${SERVICE_ID}/${PUBLIC_HOST}@fabrikam.com` }), 'aud_realm'],
  ["'*' as the aud realm", (w) => actor(w.exchange, { aud: `${SERVICE_ID}/${PUBLIC_HOST}@*` }), 'aud_realm'],
  ['aud without host (CVE-2023-29357 shape)', (w) => actor(w.exchange, { aud: `00000003-0000-0ff1-ce00-000000000000@${REALM}` }), 'aud_malformed'],
  ['aud without host, our id', (w) => actor(w.exchange, { aud: `${SERVICE_ID}@${REALM}` }), 'aud_malformed'],
  ['aud with an extra /', (w) => actor(w.exchange, { aud: `${SERVICE_ID}/x/${PUBLIC_HOST}@${REALM}` }), 'aud_malformed'],
  ['aud as an array', (w) => actor(w.exchange, { aud: [AUD] }), 'aud_malformed'],
  ['aud missing', (w) => actor(w.exchange, { aud: undefined }), 'aud_malformed'],
  ['nameid missing', (w) => actor(w.exchange, { nameid: undefined }), 'nameid'],
  ['nameid of another client (trust broker)', (w) => actor(w.exchange, { nameid: `11111111-2222-3333-4444-555555555555@${REALM}` }), 'nameid'],
  ['nameid in another realm', (w) => actor(w.exchange, { nameid: `${EXCHANGE_ID}@fabrikam.com` }), 'nameid'],
  ['nameid as an array', (w) => actor(w.exchange, { nameid: [ISS] }), 'nameid'],
  ['duplicate iss member (last one wins in JSON.parse)', (w) => withPayloadText(actor(w.exchange), `{"iss":"x@y","aud":"${AUD}","iss":"${ISS}","nameid":"${ISS}","nbf":${times.nbf},"exp":${times.exp}}`), 'malformed'],
]

const time: Row[] = [
  ['nbf not numeric', (w) => actor(w.exchange, { nbf: 'yesterday' }), 'time_malformed'],
  ['nbf negative', (w) => actor(w.exchange, { nbf: -1 }), 'time_malformed'],
  ['nbf negative string', (w) => actor(w.exchange, { nbf: '-1' }), 'time_malformed'],
  ['nbf fractional', (w) => actor(w.exchange, { nbf: times.nbf + 0.5 }), 'time_malformed'],
  ['nbf with spaces', (w) => actor(w.exchange, { nbf: ` ${times.nbf}` }), 'time_malformed'],
  ['nbf boolean', (w) => actor(w.exchange, { nbf: true }), 'time_malformed'],
  ['nbf missing', (w) => actor(w.exchange, { nbf: undefined }), 'time_malformed'],
  ['exp huge number', (w) => actor(w.exchange, { exp: 1e20 }), 'time_malformed'],
  ['exp beyond safe integers', (w) => actor(w.exchange, { exp: 2 ** 53 }), 'time_malformed'],
  ['exp 13-digit string', (w) => actor(w.exchange, { exp: '9999999999999' }), 'time_malformed'],
  ['exp exponent string', (w) => actor(w.exchange, { exp: '1e10' }), 'time_malformed'],
  ['exp as an array', (w) => actor(w.exchange, { exp: [times.exp] }), 'time_malformed'],
  ['exp missing', (w) => actor(w.exchange, { exp: undefined }), 'time_malformed'],
  ['lifetime over the cap by 1 s', (w) => actor(w.exchange, { nbf: NOW - 100, exp: NOW - 100 + MAX_LIFETIME + 1 }), 'lifetime'],
  ['exp equal to nbf', (w) => actor(w.exchange, { nbf: NOW, exp: NOW }), 'lifetime'],
  ['exp before nbf', (w) => actor(w.exchange, { nbf: NOW, exp: NOW - 10 }), 'lifetime'],
  ['not yet valid: nbf = now + skew + 1', (w) => actor(w.exchange, { nbf: NOW + SKEW + 1, exp: NOW + 3600 }), 'not_yet_valid'],
  ['expired: exp = now − skew', (w) => actor(w.exchange, { nbf: NOW - 3600, exp: NOW - SKEW }), 'expired'],
  ['expired long ago', (w) => actor(w.exchange, { nbf: 1_000_000_000, exp: 1_000_003_600 }), 'expired'],
]

const outer: Row[] = [
  ['signed outer (alg none with a signature)', (w) => wrapRaw({ aud: AUD, iss: ISS, ...times, upn: 'a@b', actortoken: actor(w.exchange) }, undefined, 'c2lnbmF0dXJl'), 'outer_signed'],
  ['signed outer (RS256 carrying actortoken)', (w) => signRaw({ typ: 'JWT', alg: 'RS256', x5t: w.exchange.cert.x5t }, { aud: AUD, iss: ISS, ...times, upn: 'a@b', actortoken: actor(w.exchange) }, w.exchange.cert.privateKey), 'outer_signed'],
  ['outer without actortoken', () => wrapRaw({ aud: AUD, iss: ISS, ...times, upn: 'a@b' }), 'outer_no_actortoken'],
  ['actortoken not a string', (w) => wrapRaw({ aud: AUD, iss: ISS, ...times, upn: 'a@b', actortoken: { token: actor(w.exchange) } }), 'outer_no_actortoken'],
  ['actortoken nested in the actor', (w) => userToken(w.exchange, undefined, {}, { actortoken: actor(w.exchange) }), 'nested_actortoken'],
  ['actortoken not a JWS', (w) => userToken(w.exchange, undefined, { actortoken: 'not a token' }), 'malformed'],
  ['outer iss not the actor nameid', (w) => userToken(w.exchange, undefined, { iss: `11111111-2222-3333-4444-555555555555@${REALM}` }), 'outer_binding'],
  ['outer iss missing', (w) => userToken(w.exchange, undefined, { iss: undefined }), 'outer_binding'],
  ['outer iss as an array', (w) => userToken(w.exchange, undefined, { iss: [ISS] }), 'outer_binding'],
  ['outer aud not the actor aud', (w) => userToken(w.exchange, undefined, { aud: `${SERVICE_ID}/other.contoso.com@${REALM}` }), 'outer_binding'],
  ['outer aud missing', (w) => userToken(w.exchange, undefined, { aud: undefined }), 'outer_binding'],
  ['outer expired', (w) => userToken(w.exchange, undefined, { nbf: NOW - 7200, exp: NOW - SKEW }), 'expired'],
  ['outer not yet valid', (w) => userToken(w.exchange, undefined, { nbf: NOW + SKEW + 1, exp: NOW + 7200 }), 'not_yet_valid'],
  ['outer exp malformed', (w) => userToken(w.exchange, undefined, { exp: 'soon' }), 'time_malformed'],
  ['outer lifetime over the cap', (w) => userToken(w.exchange, undefined, { nbf: NOW - 10, exp: NOW - 10 + MAX_LIFETIME + 1 }), 'lifetime'],
  ['actor expired inside a valid outer', (w) => userToken(w.exchange, undefined, {}, { nbf: NOW - 7200, exp: NOW - SKEW }), 'expired'],
  ['no user claims', (w) => userToken(w.exchange, {}), 'user_claims'],
  ['only empty user claims', (w) => userToken(w.exchange, { upn: '', smtp: '', nameid: '' }), 'user_claims'],
  ['only nii', (w) => userToken(w.exchange, { nii: 'urn:federation:microsoftonline' }), 'user_claims'],
  ['SID nameid only, partner without acceptSid', (w) => userToken(w.exchange, { nameid: 's-1-5-21-1-2-3-1001', nii: 'urn:office:idp:activedirectory' }), 'user_claims'],
  ['upn as an array', (w) => userToken(w.exchange, { upn: ['alice@contoso.com', 'bob@contoso.com'] }), 'user_claims'],
  ['smtp as a number', (w) => userToken(w.exchange, { upn: 'alice@contoso.com', smtp: 12 }), 'user_claims'],
  ['sip null', (w) => userToken(w.exchange, { upn: 'alice@contoso.com', sip: null }), 'user_claims'],
  ['CR LF in upn (header injection)', (w) => userToken(w.exchange, { upn: 'alice@contoso.com\r\nx-s2s-partner: evil' }), 'claim_value'],
  ['NUL in nameid', (w) => userToken(w.exchange, { nameid: 'alice\u0000@contoso.com' }), 'claim_value'],
  ['DEL in sip', (w) => userToken(w.exchange, { sip: 'alice\u007f@contoso.com' }), 'claim_value'],
  ['TAB in smtp', (w) => userToken(w.exchange, { smtp: 'alice\t@contoso.com' }), 'claim_value'],
]

const transport: Row[] = [
  ['larger than tokens.maxTokenBytes', (w) => actor(w.exchange, { pad: 'x'.repeat(9000) }), 'too_large'],
  ['larger than the cap in bytes, not characters', () => 'é'.repeat(5000), 'too_large'],
  ['JWE (5 segments)', () => 'eyJhbGciOiJSU0EtT0FFUCJ9.ZW5j.aXY.Y2lwaGVy.dGFn', 'malformed'],
  ['4 segments', (w) => actor(w.exchange) + '.x', 'malformed'],
  ['2 segments', (w) => actor(w.exchange).split('.').slice(0, 2).join('.'), 'malformed'],
  ['empty string', () => '', 'malformed'],
  ['empty header segment', (w) => '.' + actor(w.exchange).split('.').slice(1).join('.'), 'malformed'],
  ['std base64 characters', (w) => actor(w.exchange).replace(/-/g, '+').replace(/_/g, '/') + '+/', 'malformed'],
  ['padding =', (w) => actor(w.exchange) + '==', 'malformed'],
  // The request path hands the validator the raw text after `Bearer`; the validator checks its characters itself.
  ['a character outside base64url and "."', (w) => actor(w.exchange) + '$', 'malformed'],
  ['a blank inside', (w) => actor(w.exchange).replace('.', ' .'), 'malformed'],
  ['segment of length 4n+1', () => `${b64u('{"alg":"RS256"}')}A.${seg('{}')}.c2ln`, 'malformed'],
  ['non-canonical trailing bits in the signature', (w) => flipLastBit(actor(w.exchange)), 'malformed'],
  ['payload not JSON', () => `${b64u('{"alg":"RS256"}')}.${seg('not json')}.c2ln`, 'malformed'],
  ['payload a JSON array', () => `${b64u('{"alg":"RS256"}')}.${seg('[1,2]')}.c2ln`, 'malformed'],
  ['payload null', () => `${b64u('{"alg":"RS256"}')}.${seg('null')}.c2ln`, 'malformed'],
  ['payload invalid UTF-8', () => `${b64u('{"alg":"RS256"}')}.${seg(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))}.c2ln`, 'malformed'],
  ['header a JSON string', () => `${seg('"RS256"')}.${seg('{}')}.c2ln`, 'malformed'],
  ['header without alg', () => `${seg('{"typ":"JWT"}')}.${seg('{}')}.c2ln`, 'malformed'],
  ['header alg not a string', () => `${seg('{"alg":["RS256"]}')}.${seg('{}')}.c2ln`, 'malformed'],
  ['header with duplicate alg', () => `${seg('{"alg":"none","alg":"RS256"}')}.${seg('{}')}.c2ln`, 'malformed'],
]

/** Keep the first 200 of the 256 signature bytes, canonically encoded. */
function truncateSignature(token: string): string {
  const dot = token.lastIndexOf('.')
  return token.slice(0, dot + 1) + Buffer.from(token.slice(dot + 1), 'base64url').subarray(0, 200).toString('base64url')
}

/** Set an unused low bit of the signature's last character: same bytes for node, a second spelling of the token. */
function flipLastBit(token: string): string {
  const sig = token.slice(token.lastIndexOf('.') + 1)
  if (sig.length % 4 === 0) throw new Error('test assumes an unpadded tail')
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = alphabet.indexOf(sig.at(-1) as string)
  return token.slice(0, -1) + alphabet[last | 1]
}

describe.each([
  ['signature and algorithm', signatureAndAlg],
  ['claims', claims],
  ['time', time],
  ['outer token', outer],
  ['transport and encoding', transport],
])('rejects (%s)', (_group, rows) => {
  it.each(rows.map(([name, build, reason]) => [name, reason, build] as const))('%s → %s', async (_name, reason, build) => {
    await expectRejected(build(w), reason)
  })
})
