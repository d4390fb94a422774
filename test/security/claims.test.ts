// Security suite, claims (issue 5 §1): unknown issuers, realms (including `*` inside a token), the audience
// (service id, host, port, realm, the host-less CVE-2023-29357 shape), nameid, arrays for strings, duplicate JSON
// keys, and nbf/exp in every wrong form and at the exact skew boundaries (the gateway's clock is frozen there).
import { sign } from 'node:crypto'
import { afterAll, beforeAll, describe } from 'vitest'
import { b64u, nowSec, PUBLIC_HOST, REALM, SERVICE_ID } from '../helpers/tokens.js'
import { securityTally } from './report.js'
import { bearer, expectAccepted, expectRefused, send, startWorld, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await startWorld()
})
afterAll(async () => {
  await w?.close()
})

const tally = securityTally('claims', import.meta.url)
const UNKNOWN_ID = '99999999-0000-0000-0000-000000000000'
const refuse = (token: () => string, reason: string) => () => expectRefused(w, () => send(w, '/api/items', [bearer(token())]), 401, { reason })
/** An Exchange actor token, correctly signed by Exchange, with these claims changed. */
const exchange = (claims: Record<string, unknown>) => () => w.exchange.actorToken(claims)
/** Correctly signed by Exchange, with the payload given as raw JSON text (duplicate keys survive). */
const exchangeText = (payloadJson: () => string) => () => {
  const input = `${b64u(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: w.exchange.cert.x5t }))}.${b64u(payloadJson())}`
  return `${input}.${sign('sha256', Buffer.from(input), w.exchange.cert.privateKey).toString('base64url')}`
}
const aud = (value: string) => exchange({ aud: value })

/** Run `body` with the gateway's clock frozen at `sec` (epoch seconds), so skew boundaries are exact. */
async function frozenAt<T>(sec: number, body: () => Promise<T>): Promise<T> {
  w.clock.freeze(sec * 1000)
  try {
    return await body()
  } finally {
    w.clock.freeze(undefined)
  }
}

describe('issuer', () => {
  tally.attack('claims', 'unknown issuer, signed by its own key', refuse(() => w.rogue.actorToken({ iss: `${UNKNOWN_ID}@${REALM}`, nameid: `${UNKNOWN_ID}@${REALM}` }), 'issuer_unknown'))
  tally.attack('claims', "unknown issuer, signed with Exchange's real key", refuse(exchange({ iss: `${UNKNOWN_ID}@${REALM}`, nameid: `${UNKNOWN_ID}@${REALM}` }), 'issuer_unknown'))
  tally.attack('claims', 'issuer realm of another organisation', refuse(() => w.exchange.actorToken({ iss: `${w.exchange.id}@fabrikam.com`, nameid: `${w.exchange.id}@fabrikam.com` }), 'issuer_realm'))
  tally.attack('claims', 'realm "*" inside the token (iss)', refuse(() => w.exchange.actorToken({ iss: `${w.exchange.id}@*`, nameid: `${w.exchange.id}@*` }), 'issuer_realm'))
  tally.attack('claims', 'empty issuer realm ("id@")', refuse(() => w.exchange.actorToken({ iss: `${w.exchange.id}@`, nameid: `${w.exchange.id}@` }), 'issuer_malformed'))
  tally.attack('claims', 'issuer without "@"', refuse(() => w.exchange.actorToken({ iss: w.exchange.id, nameid: w.exchange.id }), 'issuer_malformed'))
  tally.attack('claims', 'issuer as an array', refuse(() => w.exchange.actorToken({ iss: [w.exchange.issuer] }), 'issuer_malformed'))
  tally.attack('claims', 'issuer as a number', refuse(() => w.exchange.actorToken({ iss: 2 }), 'issuer_malformed'))
  tally.attack('claims', 'issuer with a space before the realm', refuse(() => w.exchange.actorToken({ iss: `${w.exchange.id}@ ${REALM}`, nameid: `${w.exchange.id}@ ${REALM}` }), 'issuer_malformed'))
  tally.attack('claims', 'issuer with a control character (header smuggling into x-s2s-partner-id)', refuse(() => w.exchange.actorToken({ iss: `${w.exchange.id}\u0001@${REALM}`, nameid: `${w.exchange.id}\u0001@${REALM}` }), 'claim_value'))
  tally.attack('claims', 'issuer missing', refuse(() => w.exchange.actorToken({ iss: undefined }), 'issuer_malformed'))
})

describe('audience', () => {
  tally.attack('claims', 'wrong service id in aud', refuse(aud(`00000003-0000-0ff1-ce00-000000000000/${PUBLIC_HOST}@${REALM}`), 'aud_principal'))
  tally.attack('claims', 'wrong host in aud', refuse(aud(`${SERVICE_ID}/evil.contoso.com@${REALM}`), 'aud_host'))
  tally.attack('claims', 'wrong port in aud', refuse(aud(`${SERVICE_ID}/${PUBLIC_HOST}:9443@${REALM}`), 'aud_host'))
  tally.attack('claims', 'our host as a suffix of another host in aud', refuse(aud(`${SERVICE_ID}/${PUBLIC_HOST}.evil.example@${REALM}`), 'aud_host'))
  tally.attack('claims', 'host with a trailing dot in aud', refuse(aud(`${SERVICE_ID}/${PUBLIC_HOST}.@${REALM}`), 'aud_host'))
  tally.attack('claims', 'look-alike host (Greek omicron) in aud', refuse(aud(`${SERVICE_ID}/gw.c\u03bfntoso.com@${REALM}`), 'aud_host'))
  tally.attack('claims', 'wrong realm in aud', refuse(aud(`${SERVICE_ID}/${PUBLIC_HOST}@fabrikam.com`), 'aud_realm'))
  tally.attack('claims', 'realm "*" inside the token (aud)', refuse(aud(`${SERVICE_ID}/${PUBLIC_HOST}@*`), 'aud_realm'))
  tally.attack('claims', 'aud without a host (CVE-2023-29357 shape)', refuse(aud(`${SERVICE_ID}@${REALM}`), 'aud_malformed'))
  tally.attack('claims', 'aud with an empty host', refuse(aud(`${SERVICE_ID}/@${REALM}`), 'aud_malformed'))
  tally.attack('claims', 'aud with a second "/"', refuse(aud(`${SERVICE_ID}/${PUBLIC_HOST}/x@${REALM}`), 'aud_malformed'))
  tally.attack('claims', 'aud with userinfo before our host', refuse(aud(`${SERVICE_ID}/attacker@${PUBLIC_HOST}@${REALM}`), 'aud_malformed'))
  tally.attack('claims', 'aud as an array holding the right value', refuse(exchange({ aud: [`${SERVICE_ID}/${PUBLIC_HOST}@${REALM}`] }), 'aud_malformed'))
  tally.attack('claims', 'aud missing', refuse(exchange({ aud: undefined }), 'aud_malformed'))
})

describe('nameid', () => {
  tally.attack('claims', 'nameid naming another partner', refuse(() => w.exchange.actorToken({ nameid: `${w.hr.id}@${REALM}` }), 'nameid'))
  tally.attack('claims', 'nameid in another realm', refuse(() => w.exchange.actorToken({ nameid: `${w.exchange.id}@fabrikam.com` }), 'nameid'))
  tally.attack('claims', 'nameid missing (a trust broker claim we do not support)', refuse(() => w.exchange.actorToken({ nameid: undefined }), 'nameid'))
  tally.attack('claims', 'nameid as an array', refuse(() => w.exchange.actorToken({ nameid: [w.exchange.issuer] }), 'nameid'))
})

describe('duplicate JSON keys (two parsers, two meanings)', () => {
  tally.attack('claims', 'iss twice: an unknown issuer, then Exchange', refuse(exchangeText(() => {
    const c = w.exchange.actorClaims()
    return `{"iss":"${UNKNOWN_ID}@${REALM}","aud":"${c['aud']}","iss":"${c['iss']}","nbf":${c['nbf']},"exp":${c['exp']},"nameid":"${c['nameid']}"}`
  }), 'malformed'))
  tally.attack('claims', 'exp twice: valid, then far in the future', refuse(exchangeText(() => {
    const c = w.exchange.actorClaims()
    return `{"aud":"${c['aud']}","iss":"${c['iss']}","nbf":${c['nbf']},"exp":${c['exp']},"nameid":"${c['nameid']}","exp":${nowSec() + 10_000_000}}`
  }), 'malformed'))
  tally.attack('claims', 'aud twice: a foreign host, then ours', refuse(exchangeText(() => {
    const c = w.exchange.actorClaims()
    return `{"aud":"${SERVICE_ID}/evil.example@${REALM}","iss":"${c['iss']}","nbf":${c['nbf']},"exp":${c['exp']},"nameid":"${c['nameid']}","aud":"${c['aud']}"}`
  }), 'malformed'))
})

describe('nbf and exp in every wrong form', () => {
  const time = (claims: Record<string, unknown>, reason: string) => refuse(exchange(claims), reason)
  tally.attack('claims', 'nbf not numeric ("abc")', time({ nbf: 'abc' }, 'time_malformed'))
  tally.attack('claims', 'nbf negative', time({ nbf: -1 }, 'time_malformed'))
  tally.attack('claims', 'exp huge (1e20)', time({ exp: 1e20 }, 'time_malformed'))
  tally.attack('claims', 'exp with a fraction', time({ exp: nowSec() + 3600.5 }, 'time_malformed'))
  tally.attack('claims', 'exp in exponent notation ("1e10")', time({ exp: '1e10' }, 'time_malformed'))
  tally.attack('claims', 'exp with leading space (" 123")', time({ exp: ` ${nowSec() + 3600}` }, 'time_malformed'))
  tally.attack('claims', 'exp with a plus sign', time({ exp: `+${nowSec() + 3600}` }, 'time_malformed'))
  tally.attack('claims', 'exp as a boolean', time({ exp: true }, 'time_malformed'))
  tally.attack('claims', 'exp null', time({ exp: null }, 'time_malformed'))
  tally.attack('claims', 'exp as an array', time({ exp: [nowSec() + 3600] }, 'time_malformed'))
  tally.attack('claims', 'exp missing', time({ exp: undefined }, 'time_malformed'))
  tally.attack('claims', 'nbf missing', time({ nbf: undefined }, 'time_malformed'))
  tally.attack('claims', 'exp before nbf', time({ nbf: nowSec() - 60, exp: nowSec() - 120 }, 'lifetime'))
  tally.attack('claims', 'exp equal to nbf', time({ nbf: nowSec() - 60, exp: nowSec() - 60 }, 'lifetime'))
  tally.attack('claims', 'lifetime over the cap (90,000 s + 1)', time({ nbf: nowSec() - 60, exp: nowSec() - 60 + 90_001 }, 'lifetime'))
  tally.attack('claims', 'exp in milliseconds (a far-future token)', time({ nbf: nowSec() - 60, exp: (nowSec() + 3600) * 1000 }, 'lifetime'))
  tally.attack('claims', 'expired an hour ago', time({ nbf: nowSec() - 7200, exp: nowSec() - 3600 }, 'expired'))
  tally.attack('claims', 'not valid for another hour', time({ nbf: nowSec() + 3600, exp: nowSec() + 7200 }, 'not_yet_valid'))
})

describe('skew boundaries (clock frozen; skew 300 s)', () => {
  const T = (): number => nowSec()
  tally.control('claims', 'nbf exactly now + skew: accepted', () => {
    const t = T()
    return frozenAt(t, () => expectAccepted(w, send(w, '/api/items', [bearer(w.exchange.actorToken({ nbf: t + 300, exp: t + 3600 }))])))
  })
  tally.attack('claims', 'nbf one second past now + skew', () => {
    const t = T()
    return frozenAt(t, () => expectRefused(w, send(w, '/api/items', [bearer(w.exchange.actorToken({ nbf: t + 301, exp: t + 3600 }))]), 401, { reason: 'not_yet_valid' }))
  })
  tally.control('claims', 'exp one second short of now - skew: accepted', () => {
    const t = T()
    return frozenAt(t, () => expectAccepted(w, send(w, '/api/items', [bearer(w.exchange.actorToken({ nbf: t - 3600, exp: t - 299 }))])))
  })
  tally.attack('claims', 'exp exactly now - skew', () => {
    const t = T()
    return frozenAt(t, () => expectRefused(w, send(w, '/api/items', [bearer(w.exchange.actorToken({ nbf: t - 3600, exp: t - 300 }))]), 401, { reason: 'expired' }))
  })
  tally.attack('claims', 'a verified (cached) token presented again once it expired', async () => {
    const t = T()
    const token = w.exchange.actorToken({ nbf: t - 3600, exp: t + 60 })
    await frozenAt(t, () => expectAccepted(w, send(w, '/api/items', [bearer(token)])))
    await frozenAt(t + 360, () => expectRefused(w, send(w, '/api/items', [bearer(token)]), 401, { reason: 'expired' }))
  })
})

describe('positive controls and their rogue-signed twins', () => {
  const stringDates = () => ({ nbf: String(nowSec() - 60), exp: String(nowSec() + 3600) })
  tally.control('claims', 'string nbf/exp ([MS-XOAUTH] examples), correctly signed: accepted', () => expectAccepted(w, send(w, '/api/items', [bearer(w.exchange.actorToken(stringDates()))])))
  tally.attack('claims', 'string nbf/exp, rogue signature', refuse(() => w.exchange.actorToken(stringDates(), {}, w.rogue.cert.privateKey), 'signature'))
  tally.control('claims', 'aud with :443 and in upper case, correctly signed: accepted', () =>
    expectAccepted(w, send(w, '/api/items', [bearer(w.exchange.actorToken({ aud: `${SERVICE_ID.toUpperCase()}/GW.CONTOSO.COM:443@CONTOSO.COM` }))])))
  tally.attack('claims', 'aud with :443 and in upper case, rogue signature', refuse(() => w.exchange.actorToken({ aud: `${SERVICE_ID.toUpperCase()}/GW.CONTOSO.COM:443@CONTOSO.COM` }, {}, w.rogue.cert.privateKey), 'signature'))
  tally.control('claims', 'a 24 h span (Exchange), correctly signed: accepted', () => expectAccepted(w, send(w, '/api/items', [bearer(w.exchange.actorToken({ nbf: nowSec(), exp: nowSec() + 86_400 }))])))
})
