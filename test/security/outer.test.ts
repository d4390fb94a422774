// Security suite, the outer user-context token (issue 5 §1): signed outers, missing and nested actortoken, outer
// claims not bound to the actor, user tokens from Application-trust partners and without trustedfordelegation
// (403, only after full verification), and user claims that are empty, of the wrong type or carry header syntax.
import { sign } from 'node:crypto'
import { afterAll, beforeAll, describe } from 'vitest'
import { b64u, nowSec, PUBLIC_HOST, REALM, SERVICE_ID, signRaw, wrapRaw } from '../helpers/tokens.js'
import { hmacWith, jws } from '../unit/tokens/forge.js'
import { securityTally } from './report.js'
import { bearer, expectAccepted, expectNeutralised, expectRefused, identity, send, startWorld, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await startWorld()
})
afterAll(async () => {
  await w?.close()
})

const tally = securityTally('outer', import.meta.url)
const ALICE = { upn: 'alice@contoso.com' }
const refuse = (token: () => string, status: number, reason?: string) => () =>
  expectRefused(w, () => send(w, '/api/items', [bearer(token())]), status, reason === undefined ? {} : { reason })
/** An outer token around Exchange's valid actor token, with any outer claims and header. */
const outer = (claims: Record<string, unknown>, header: Record<string, unknown> = { typ: 'JWT', alg: 'none' }, signature = '') => () =>
  wrapRaw({ ...outerClaims(), ...claims }, header, signature)
const outerClaims = (): Record<string, unknown> => ({ aud: w.exchange.actorClaims()['aud'], iss: w.exchange.issuer, nbf: nowSec() - 60, exp: nowSec() + 3600, ...ALICE, actortoken: w.exchange.actorToken() })
const aliceFor = (partner: string, id: string, trust: string) => identity({ partner, id, trust, type: 'user', user: { upn: 'alice@contoso.com' } })

describe('the wrapper itself', () => {
  tally.attack('outer', 'signed outer token (alg none with a signature)', refuse(outer({}, { typ: 'JWT', alg: 'none' }, 'c2lnbmF0dXJl'), 401, 'outer_signed'))
  tally.attack('outer', "outer token signed RS256 with Exchange's real key", refuse(() => signRaw({ typ: 'JWT', alg: 'RS256', x5t: w.exchange.cert.x5t }, outerClaims(), w.exchange.cert.privateKey), 401, 'outer_signed'))
  tally.attack('outer', 'outer token signed HS256', refuse(() => jws({ typ: 'JWT', alg: 'HS256' }, outerClaims(), hmacWith('secret')), 401, 'alg_not_allowed'))
  tally.attack('outer', 'outer token without actortoken', refuse(outer({ actortoken: undefined }), 401, 'outer_no_actortoken'))
  tally.attack('outer', 'actortoken as an object', refuse(() => wrapRaw({ ...outerClaims(), actortoken: { alg: 'RS256' } }), 401, 'outer_no_actortoken'))
  tally.attack('outer', 'actortoken empty', refuse(outer({ actortoken: '' }), 401, 'malformed'))
  tally.attack('outer', 'actortoken nested in the actortoken', refuse(() => wrapRaw({ ...outerClaims(), actortoken: w.exchange.actorToken({ actortoken: w.exchange.actorToken() }) }), 401, 'nested_actortoken'))
  tally.attack('outer', 'an outer token as the actortoken (two wrappers)', refuse(() => wrapRaw({ ...outerClaims(), actortoken: wrapRaw(outerClaims()) }), 401, 'alg_not_allowed'))
  tally.attack('outer', 'an unsigned (alg none) actor inside the wrapper', refuse(() => wrapRaw({ ...outerClaims(), actortoken: wrapRaw(w.exchange.actorClaims()) }), 401, 'alg_not_allowed'))
  tally.attack('outer', 'a JWE as the actortoken', refuse(() => wrapRaw({ ...outerClaims(), actortoken: `${b64u('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a.b.c.d` }), 401, 'malformed'))
  tally.attack('outer', 'actortoken key duplicated: a rogue actor, then the real one', refuse(() => {
    const c = outerClaims()
    const text = `{"aud":"${c['aud']}","iss":"${c['iss']}","nbf":${c['nbf']},"exp":${c['exp']},"upn":"alice@contoso.com","actortoken":"${w.exchange.actorToken({}, {}, w.rogue.cert.privateKey)}","actortoken":"${w.exchange.actorToken()}"}`
    return `${b64u('{"typ":"JWT","alg":"none"}')}.${b64u(text)}.`
  }, 401, 'malformed'))
  tally.attack('outer', 'a rogue-signed hr-addin actor inside a user token for admin: 401, never 403', refuse(() => wrapRaw({ ...outerClaims(), iss: w.hr.issuer, upn: 'admin@contoso.com', actortoken: w.hr.actorToken({}, {}, w.rogue.cert.privateKey) }), 401, 'signature'))
})

describe('outer claims bound to the actor', () => {
  tally.attack('outer', 'outer iss naming another partner', refuse(() => w.exchange.userToken(ALICE, { iss: `${w.hr.id}@${REALM}` }), 401, 'outer_binding'))
  tally.attack('outer', 'outer iss in another realm', refuse(() => w.exchange.userToken(ALICE, { iss: `${w.exchange.id}@fabrikam.com` }), 401, 'outer_binding'))
  tally.attack('outer', 'outer iss missing', refuse(() => w.exchange.userToken(ALICE, { iss: undefined }), 401, 'outer_binding'))
  tally.attack('outer', 'outer aud for another host', refuse(() => w.exchange.userToken(ALICE, { aud: `${SERVICE_ID}/other.contoso.com@${REALM}` }), 401, 'outer_binding'))
  tally.attack('outer', 'outer aud missing', refuse(() => w.exchange.userToken(ALICE, { aud: undefined }), 401, 'outer_binding'))
  tally.attack('outer', 'outer aud as an array', refuse(() => w.exchange.userToken(ALICE, { aud: [`${SERVICE_ID}/${PUBLIC_HOST}@${REALM}`] }), 401, 'outer_binding'))
  tally.attack('outer', "Exchange's wrapper around hr-addin's valid actor", refuse(() => wrapRaw({ ...outerClaims(), actortoken: w.hr.actorToken() }), 401, 'outer_binding'))
  tally.attack('outer', 'outer token expired while the actor is valid', refuse(() => w.exchange.userToken(ALICE, { nbf: nowSec() - 7200, exp: nowSec() - 3600 }), 401, 'expired'))
  tally.attack('outer', 'outer token not yet valid', refuse(() => w.exchange.userToken(ALICE, { nbf: nowSec() + 3600, exp: nowSec() + 7200 }), 401, 'not_yet_valid'))
  tally.attack('outer', 'outer lifetime over the cap', refuse(() => w.exchange.userToken(ALICE, { nbf: nowSec() - 60, exp: nowSec() + 90_000 }), 401, 'lifetime'))
  tally.attack('outer', 'outer exp missing', refuse(() => w.exchange.userToken(ALICE, { exp: undefined }), 401, 'time_malformed'))
  tally.attack('outer', 'actor expired inside a valid outer token', refuse(() => w.exchange.userToken(ALICE, {}, { nbf: nowSec() - 7200, exp: nowSec() - 3600 }), 401, 'expired'))
})

describe('trust policy: 403 only after full verification', () => {
  tally.attack('outer', 'user token from an Application-trust metadata partner (lync)', refuse(() => w.lync.userToken(ALICE), 403))
  tally.attack('outer', 'user token from an Application-trust partner registered by certificate (hr-addin)', refuse(() => w.hr.userToken(ALICE), 403))
  for (const [label, value] of [['"false"', 'false'], ['absent', undefined], ['"yes"', 'yes'], ['1', 1], ['["true"]', ['true']]] as const) {
    tally.attack('outer', `full-trust user token with trustedfordelegation ${label}`, refuse(() => w.exchange.userToken(ALICE, {}, { trustedfordelegation: value }), 403))
  }
  tally.attack('outer', 'trustedfordelegation on the unsigned outer only', refuse(() => w.exchange.userToken(ALICE, { trustedfordelegation: 'true' }, { trustedfordelegation: undefined }), 403))
  tally.attack('outer', 'trustedfordelegation smuggled through a "__proto__" member of the actor', refuse(() => {
    const c = w.exchange.actorClaims({ trustedfordelegation: undefined })
    const text = `{"aud":"${c['aud']}","iss":"${c['iss']}","nbf":${c['nbf']},"exp":${c['exp']},"nameid":"${c['nameid']}","__proto__":{"trustedfordelegation":"true"}}`
    const input = `${b64u(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: w.exchange.cert.x5t }))}.${b64u(text)}`
    const actor = `${input}.${sign('sha256', Buffer.from(input), w.exchange.cert.privateKey).toString('base64url')}`
    return wrapRaw({ ...outerClaims(), actortoken: actor })
  }, 403))
})

describe('user claims', () => {
  tally.attack('outer', 'no user claims at all', refuse(() => w.exchange.userToken({}), 401, 'user_claims'))
  tally.attack('outer', 'only empty user claims', refuse(() => w.exchange.userToken({ upn: '', smtp: '', sip: '', nameid: '' }), 401, 'user_claims'))
  tally.attack('outer', 'upn as an array', refuse(() => w.exchange.userToken({ upn: ['alice@contoso.com', 'admin@contoso.com'] }), 401, 'user_claims'))
  tally.attack('outer', 'upn as an object', refuse(() => w.exchange.userToken({ upn: { value: 'admin@contoso.com' } }), 401, 'user_claims'))
  tally.attack('outer', 'CRLF header injection in upn', refuse(() => w.exchange.userToken({ upn: 'alice@contoso.com\r\nx-s2s-partner: hr-addin' }), 401, 'claim_value'))
  tally.attack('outer', 'NUL in smtp', refuse(() => w.exchange.userToken({ smtp: 'alice@contoso.com\u0000admin' }), 401, 'claim_value'))
  tally.attack('outer', 'DEL in sip', refuse(() => w.exchange.userToken({ sip: 'alice@contoso.com\u007f' }), 401, 'claim_value'))
  tally.attack('outer', 'a SID as the only user claim, for a partner without acceptSid', refuse(() => w.exchange.userToken({ nameid: 's-1-5-21-1-2-3-500', nii: 'urn:office:idp:activedirectory' }), 401, 'user_claims'))
  tally.attack('outer', 'duplicate upn: a victim, then the sender', refuse(() => {
    const c = outerClaims()
    const text = `{"aud":"${c['aud']}","iss":"${c['iss']}","nbf":${c['nbf']},"exp":${c['exp']},"upn":"admin@contoso.com","upn":"alice@contoso.com","actortoken":"${c['actortoken']}"}`
    return `${b64u('{"typ":"JWT","alg":"none"}')}.${b64u(text)}.`
  }, 401, 'malformed'))
  tally.attack('outer', 'percent-encoded CRLF in upn reaches the backend encoded, never decoded', () =>
    expectNeutralised(w, send(w, '/api/items', [bearer(w.exchange.userToken({ upn: 'a%0d%0ax-s2s-partner: hr' }))]),
      identity({ partner: 'exchange', id: w.exchange.id, trust: 'full', type: 'user', user: { upn: 'a%250d%250ax-s2s-partner%3A%20hr' } })))
  tally.attack('outer', 'a Unicode line separator in upn reaches the backend percent-encoded', () =>
    expectNeutralised(w, send(w, '/api/items', [bearer(w.exchange.userToken({ upn: 'a\u2028x-s2s-partner: hr@contoso.com' }))]),
      identity({ partner: 'exchange', id: w.exchange.id, trust: 'full', type: 'user', user: { upn: 'a%E2%80%A8x-s2s-partner%3A%20hr%40contoso.com' } })))
})

describe('positive controls and their rogue-signed twins', () => {
  const rogueActor = (actor: Record<string, unknown> = {}) => wrapRaw({ ...outerClaims(), actortoken: w.exchange.actorToken(actor, {}, w.rogue.cert.privateKey) })
  tally.control('outer', 'user token from a full-trust partner: accepted with exactly the user claims sent', () =>
    expectAccepted(w, send(w, '/api/items', [bearer(w.exchange.userToken(ALICE))]), aliceFor('exchange', w.exchange.id, 'full')))
  tally.attack('outer', 'the same user token around a rogue-signed actor', refuse(() => rogueActor(), 401, 'signature'))
  tally.control('outer', 'trustedfordelegation as boolean true (node-sp-auth): accepted', () =>
    expectAccepted(w, send(w, '/api/items', [bearer(w.exchange.userToken(ALICE, {}, { trustedfordelegation: true }))]), aliceFor('exchange', w.exchange.id, 'full')))
  tally.attack('outer', 'trustedfordelegation boolean true, rogue-signed actor', refuse(() => rogueActor({ trustedfordelegation: true }), 401, 'signature'))
  tally.control('outer', 'string nbf/exp on both tokens: accepted', () => {
    const dates = { nbf: String(nowSec() - 60), exp: String(nowSec() + 3600) }
    return expectAccepted(w, send(w, '/api/items', [bearer(w.exchange.userToken(ALICE, dates, dates))]), aliceFor('exchange', w.exchange.id, 'full'))
  })
  tally.attack('outer', 'string nbf/exp on both tokens, rogue-signed actor', refuse(() => {
    const dates = { nbf: String(nowSec() - 60), exp: String(nowSec() + 3600) }
    return wrapRaw({ ...outerClaims(), ...dates, actortoken: w.exchange.actorToken(dates, {}, w.rogue.cert.privateKey) })
  }, 401, 'signature'))
})
