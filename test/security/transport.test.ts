// Security suite, transport (issue 5 §1): how the token travels. Two Authorization fields (400), a token in the
// query string, a cookie or another header (never used, never logged), scheme spellings, junk after the token,
// JWE and other segment counts, broken base64url and JSON, a token over tokens.maxTokenBytes (401) and a header
// block over 16 KiB (Node's own 431).
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { b64u } from '../helpers/tokens.js'
import { securityTally } from './report.js'
import { bearer, expectAccepted, expectRefused, send, startWorld, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await startWorld()
})
afterAll(async () => {
  await w?.close()
})

const tally = securityTally('transport', import.meta.url)
const refuse = (lines: () => string[], status: number, check: { reason?: string; missing?: boolean; foreign?: boolean } = {}, target = '/api/items') => () =>
  expectRefused(w, () => send(w, target, lines()), status, check)
const withToken = (token: () => string, reason: string) => refuse(() => [bearer(token())], 401, { reason })
const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1)

/** Neither the token nor its signature segment (unique to it) appears anywhere in the gateway's log. */
function expectNotLogged(token: string): void {
  const text = w.gw.logText()
  expect(text.includes(token), 'token in the log').toBe(false)
  expect(text.includes(signatureOf(token)), 'token signature in the log').toBe(false)
}

describe('where the token travels', () => {
  tally.attack('transport', 'two Authorization fields, both valid tokens', refuse(() => [bearer(w.exchange.actorToken()), bearer(w.exchange.actorToken())], 400))
  tally.attack('transport', 'two Authorization fields in different case (a valid one last)', refuse(() => [`authorization: Bearer ${w.rogue.actorToken()}`, `AUTHORIZATION: Bearer ${w.exchange.actorToken()}`], 400))
  tally.attack('transport', 'a valid token in the query string only (access_token): never used, never logged', async () => {
    const token = w.exchange.actorToken({ jti: 'query-1' })
    await expectRefused(w, send(w, `/api/items?access_token=${token}`), 401, { missing: true })
    expectNotLogged(token)
  })
  tally.attack('transport', 'a valid token in the query string under other names (token, code, id_token): never used, never logged', async () => {
    const token = w.exchange.actorToken({ jti: 'query-2' })
    await expectRefused(w, send(w, `/api/items?token=${token}&code=${token}&id_token=${token}`), 401, { missing: true })
    expectNotLogged(token)
  })
  tally.attack('transport', 'a valid query token beside a rogue header token: the query token is not used, not logged', async () => {
    const token = w.exchange.actorToken({ jti: 'query-3' })
    await expectRefused(w, send(w, `/api/items?access_token=${token}`, [bearer(w.rogue.actorToken())]), 401, { reason: 'signature' })
    expectNotLogged(token)
  })
  tally.attack('transport', 'a valid query token on a request with an ambiguous path (400): not logged', async () => {
    const token = w.exchange.actorToken({ jti: 'query-4' })
    await expectRefused(w, send(w, `/api/../admin?access_token=${token}`), 400)
    expectNotLogged(token)
  })
  tally.attack('transport', 'a valid token in a form body (access_token=): never used, never logged', async () => {
    const token = w.exchange.actorToken({ jti: 'body-1' })
    await expectRefused(w, send(w, '/api/items', ['Content-Type: application/x-www-form-urlencoded'], 'POST', `access_token=${token}`), 401, { missing: true })
    expectNotLogged(token)
  })
  tally.attack('transport', 'a valid token in a cookie', refuse(() => [`Cookie: access_token=${w.exchange.actorToken()}`], 401, { missing: true }))
  tally.attack('transport', 'a valid token in Proxy-Authorization', refuse(() => [`Proxy-Authorization: Bearer ${w.exchange.actorToken()}`], 401, { missing: true }))
  tally.attack('transport', 'a valid token in X-Authorization', refuse(() => [`X-Authorization: Bearer ${w.exchange.actorToken()}`], 401, { missing: true }))
  tally.attack('transport', 'a valid token under the Basic scheme', refuse(() => [`Authorization: Basic ${w.exchange.actorToken()}`], 401, { missing: true }))
  tally.attack('transport', '"Bearer" glued to the token (no space)', refuse(() => [`Authorization: Bearer${w.exchange.actorToken()}`], 401, { missing: true }))
  tally.attack('transport', '"Bearer" with nothing after it', refuse(() => ['Authorization: Bearer '], 401, { missing: true }))
})

describe('the Authorization value', () => {
  tally.attack('transport', 'junk after the token', refuse(() => [`Authorization: Bearer ${w.exchange.actorToken()} extra`], 401, { reason: 'malformed' }))
  tally.attack('transport', 'two tokens in one field, comma-separated', refuse(() => [`Authorization: Bearer ${w.rogue.actorToken()}, Bearer ${w.exchange.actorToken()}`], 401, { reason: 'malformed' }))
  tally.attack('transport', 'auth-params after the token (;realm=...)', refuse(() => [`Authorization: Bearer ${w.exchange.actorToken()};realm=x`], 401, { reason: 'malformed' }))
  tally.attack('transport', 'non-ASCII (Latin-1) bytes in the token', refuse(() => ['Authorization: Bearer \u00e9\u00e9.\u00e9\u00e9.\u00e9\u00e9'], 401, { reason: 'malformed' }))
  tally.attack('transport', 'standard base64 characters (+ and /) in a segment', withToken(() => w.exchange.actorToken().replace(/-/g, '+').replace(/_/g, '/') + '+/', 'malformed'))
  tally.attack('transport', 'base64 padding (=) on a segment', withToken(() => {
    const [h, p, s] = w.exchange.actorToken().split('.')
    return `${h}==.${p}.${s}`
  }, 'malformed'))
  tally.attack('transport', 'non-canonical base64url (unused low bits set in the last character)', withToken(() => {
    const t = w.exchange.actorToken() // a 256-byte signature is 342 characters: the last one carries 2 unused bits
    return t.slice(0, -1) + (t.endsWith('B') ? 'C' : 'B')
  }, 'malformed'))
})

describe('segments and encodings', () => {
  const seg = (v: string | Buffer) => b64u(v)
  const sig = () => w.exchange.actorToken().split('.')[2] ?? ''
  const payload = () => seg(JSON.stringify(w.exchange.actorClaims()))
  const head = () => seg(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: w.exchange.cert.x5t }))
  tally.attack('transport', 'a JWE (5 segments)', withToken(() => `${seg('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a.b.c.d`, 'malformed'))
  tally.attack('transport', '4 segments', withToken(() => `${w.exchange.actorToken()}.x`, 'malformed'))
  tally.attack('transport', '2 segments', withToken(() => `${head()}.${payload()}`, 'malformed'))
  tally.attack('transport', '1 segment', withToken(() => head(), 'malformed'))
  tally.attack('transport', 'empty header and payload segments', withToken(() => `..${sig()}`, 'malformed'))
  tally.attack('transport', 'header that is not JSON', withToken(() => `${seg('alg=RS256')}.${payload()}.${sig()}`, 'malformed'))
  tally.attack('transport', 'payload that is a JSON array', withToken(() => `${head()}.${seg(JSON.stringify([w.exchange.actorClaims()]))}.${sig()}`, 'malformed'))
  tally.attack('transport', 'payload that is JSON null', withToken(() => `${head()}.${seg('null')}.${sig()}`, 'malformed'))
  tally.attack('transport', 'payload that is invalid UTF-8', withToken(() => `${head()}.${seg(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]))}.${sig()}`, 'malformed'))
  // The decoder skips a BOM (RFC 8259 §8.1 allows it), but the signature covers the bytes as sent.
  tally.attack('transport', 'a byte order mark slipped before a signed payload', withToken(() => {
    const [h, p, s] = w.exchange.actorToken().split('.') as [string, string, string]
    return `${h}.${seg(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(p, 'base64url')]))}.${s}`
  }, 'signature'))
  tally.attack('transport', 'payload with a JavaScript comment', withToken(() => `${head()}.${seg(`/*x*/${JSON.stringify(w.exchange.actorClaims())}`)}.${sig()}`, 'malformed'))
  tally.attack('transport', 'payload with trailing garbage after the JSON', withToken(() => `${head()}.${seg(`${JSON.stringify(w.exchange.actorClaims())}x`)}.${sig()}`, 'malformed'))
  tally.attack('transport', 'payload nested 2,000 levels deep', withToken(() => `${head()}.${seg(`{"a":${'['.repeat(2000)}${']'.repeat(2000)}}`)}.${sig()}`, 'issuer_malformed'))
})

describe('size limits', () => {
  tally.attack('transport', 'a token over tokens.maxTokenBytes (8 KiB) in a header block under 16 KiB: 401, not logged', async () => {
    const token = w.exchange.actorToken({ pad: 'x'.repeat(9000) })
    expect(token.length).toBeGreaterThan(8192)
    await expectRefused(w, send(w, '/api/items', [bearer(token)]), 401, { reason: 'too_large' })
    expectNotLogged(token)
  })
  tally.attack('transport', 'a 15 KiB garbage token: 401 before any parsing', refuse(() => [`Authorization: Bearer ${'a'.repeat(15 * 1024)}`], 401, { reason: 'too_large' }))
  tally.attack('transport', "a header block over 16 KiB: Node's own 431", refuse(() => [bearer(w.exchange.actorToken()), `X-Pad: ${'p'.repeat(17 * 1024)}`], 431, { foreign: true }))
  tally.attack('transport', "an Authorization field over 16 KiB: Node's own 431, not logged", async () => {
    const token = w.exchange.actorToken({ pad: 'y'.repeat(13_000) })
    await expectRefused(w, send(w, '/api/items', [bearer(token)]), 431, { foreign: true })
    expectNotLogged(token)
  })
  tally.attack('transport', "a request target over 16 KiB: Node's own 431", refuse(() => [bearer(w.exchange.actorToken())], 431, { foreign: true }, `/api/${'a'.repeat(17 * 1024)}`))
})

describe('positive controls and their rogue-signed twins', () => {
  tally.control('transport', 'extra spaces and a tab between scheme and token, correctly signed: accepted', () => expectAccepted(w, send(w, '/api/items', [`Authorization: Bearer \t  ${w.exchange.actorToken()}`])))
  tally.attack('transport', 'extra spaces and a tab between scheme and token, rogue signature', refuse(() => [`Authorization: Bearer \t  ${w.rogue.actorToken()}`], 401, { reason: 'signature' }))
  tally.control('transport', 'a token just under the 8 KiB cap, correctly signed: accepted', () => {
    const token = w.exchange.actorToken({ pad: 'z'.repeat(5400) })
    expect(token.length).toBeLessThanOrEqual(8192)
    return expectAccepted(w, send(w, '/api/items', [bearer(token)]))
  })
  tally.attack('transport', 'a token just under the 8 KiB cap, rogue signature', refuse(() => [bearer(w.exchange.actorToken({ pad: 'z'.repeat(5400) }, {}, w.rogue.cert.privateKey))], 401, { reason: 'signature' }))
})
