// Security suite, headers (issue 5 §1): every identity header spoofed in upper case, with `_` for `-`, repeated
// and nominated in Connection, on authenticated and public paths; X-Forwarded-* and client-address headers from an
// untrusted address; identity headers hidden in chunked trailers or malformed header syntax.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { IDENTITY_HEADERS } from '../../src/identity/headers.js'
import { rawHttp } from '../helpers/raw-http.js'
import { securityTally } from './report.js'
import { bearer, expectNeutralised, expectRefused, identity, identitySeen, send, startWorld, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await startWorld()
})
afterAll(async () => {
  await w?.close()
})

const tally = securityTally('headers', import.meta.url)
const ALICE = { upn: 'alice@contoso.com' }
const alice = () => identity({ partner: 'exchange', id: w.exchange.id, trust: 'full', type: 'user', user: ALICE })
const upper = (name: string) => name.toUpperCase()
const underscored = (name: string) => name.toUpperCase().replace(/-/g, '_')

describe('every identity header, four spoofing forms, with a valid user token', () => {
  const forms: Array<[string, (name: string) => string[]]> = [
    ['in upper case', (n) => [`${upper(n)}: mallory@contoso.com`]],
    ['with "_" for "-"', (n) => [`${underscored(n)}: mallory@contoso.com`]],
    ['repeated, in two spellings', (n) => [`${n}: mallory@contoso.com`, `${n}: eve@contoso.com`, `${underscored(n)}: trudy@contoso.com`]],
    ['nominated in Connection (and sent)', (n) => [`Connection: keep-alive, ${upper(n)}`, `${n}: mallory@contoso.com`]],
  ]
  for (const name of Object.values(IDENTITY_HEADERS)) {
    for (const [form, lines] of forms) {
      tally.attack('headers', `${name} spoofed ${form}`, () =>
        expectNeutralised(w, send(w, '/api/items', [bearer(w.exchange.userToken(ALICE)), ...lines(name)]), alice()))
    }
  }
})

describe('identity headers elsewhere', () => {
  const everySpoof = () => Object.values(IDENTITY_HEADERS).flatMap((n) => [`${upper(n)}: mallory`, `${underscored(n)}: mallory`])
  tally.attack('headers', 'every identity header spoofed without a token', () => expectRefused(w, send(w, '/api/items', everySpoof()), 401, { missing: true }))
  tally.attack('headers', 'every identity header spoofed with a rogue-signed token', () => expectRefused(w, send(w, '/api/items', [bearer(w.rogue.actorToken()), ...everySpoof()]), 401, { reason: 'signature' }))
  tally.attack('headers', 'every identity header spoofed on a public path (no identity is set there)', () => expectNeutralised(w, send(w, '/public/ping', everySpoof()), []))
  tally.attack('headers', 'identity headers nominated in Connection on a public path', () =>
    expectNeutralised(w, send(w, '/public/ping', ['Connection: x-s2s-partner, X_S2S_Auth_Type', 'x-s2s-partner: exchange', 'X_S2S_Auth_Type: app']), []))
  tally.attack('headers', 'an unlisted header under the identity prefix (x-s2s-admin, X_S2S_Role)', () =>
    expectNeutralised(w, send(w, '/api/items', [bearer(w.exchange.actorToken()), 'x-s2s-admin: true', 'X_S2S_Role: admin', 'x-s2s_partner_name: hr']), identity({ partner: 'exchange', id: w.exchange.id, trust: 'full', type: 'app' })))
  tally.attack('headers', 'a valid app-only token with spoofed user headers: the backend sees no user', () =>
    expectNeutralised(w, send(w, '/api/items', [bearer(w.exchange.actorToken()), 'X-S2S-User-Upn: admin@contoso.com', 'x-s2s-auth-type: user']), identity({ partner: 'exchange', id: w.exchange.id, trust: 'full', type: 'app' })))
  tally.attack('headers', 'an identity header hidden in a chunked trailer', async () => {
    let trailers: string[] = []
    const echo = w.upstream.handler
    w.upstream.handler = (req: IncomingMessage, res: ServerResponse) => {
      trailers = req.rawTrailers
      res.writeHead(200, { 'content-length': '2' }).end('ok')
    }
    try {
      const head = ['POST /api/items HTTP/1.1', `Host: ${w.host}`, bearer(w.exchange.userToken(ALICE)), 'Transfer-Encoding: chunked', 'Trailer: X-S2S-User-Upn', 'Connection: close', '', ''].join('\r\n')
      const res = await rawHttp(w.gw.url, `${head}4\r\nbody\r\n0\r\nX-S2S-User-Upn: admin@contoso.com\r\nX_S2S_Partner: hr-addin\r\n\r\n`)
      expect(res.status).toBe(200)
      expect(identitySeen(w.upstream.seen[0])).toEqual(alice())
      expect(trailers.filter((t) => /s2s/i.test(t))).toEqual([])
    } finally {
      w.upstream.handler = echo
    }
  })
  tally.attack('headers', "an identity header folded over two lines (obs-fold): Node's own 400", () =>
    expectRefused(w, send(w, '/api/items', [bearer(w.exchange.actorToken()), 'X-S2S-Partner: exchange', ' hr-addin']), 400, { foreign: true }))
  tally.attack('headers', "whitespace before the colon of an identity header: Node's own 400", () =>
    expectRefused(w, send(w, '/api/items', [bearer(w.exchange.actorToken()), 'X-S2S-Partner : hr-addin']), 400, { foreign: true }))
  tally.attack('headers', "a NUL inside an identity header value: Node's own 400", () =>
    expectRefused(w, send(w, '/api/items', [bearer(w.exchange.actorToken()), 'X-S2S-Partner: exchange\u0000hr']), 400, { foreign: true }))
})

describe('X-Forwarded-* and client-address headers from an untrusted address', () => {
  const forwarded = (seen: { headers: Record<string, string | string[] | undefined> }) => ({
    for: seen.headers['x-forwarded-for'], host: seen.headers['x-forwarded-host'], proto: seen.headers['x-forwarded-proto'],
  })
  const app = () => identity({ partner: 'exchange', id: w.exchange.id, trust: 'full', type: 'app' })
  const cases: Array<[string, string[], (seen: { headers: Record<string, string | string[] | undefined> }) => void]> = [
    ['X-Forwarded-For, -Host and -Proto replaced by the gateway\'s own', ['X-Forwarded-For: 10.0.0.1', 'X-Forwarded-Host: admin.internal', 'X-Forwarded-Proto: https'],
      (seen) => expect(forwarded(seen)).toEqual({ for: '127.0.0.1', host: w.host, proto: 'http' })],
    ['X-Forwarded-Port and Forwarded dropped', ['X-Forwarded-Port: 443', 'Forwarded: for=10.0.0.1;proto=https;host=admin.internal'],
      (seen) => expect([seen.headers['x-forwarded-port'], seen.headers['forwarded']]).toEqual([undefined, undefined])],
    ['X_Forwarded_For and X_Forwarded_Host (underscore spellings) dropped', ['X_Forwarded_For: 10.0.0.1', 'X_Forwarded_Host: admin.internal'],
      (seen) => expect(Object.keys(seen.headers).filter((k) => k.startsWith('x_forwarded'))).toEqual([])],
    ['X-Forwarded-For nominated in Connection: the gateway\'s own value still arrives', ['Connection: X-Forwarded-For', 'X-Forwarded-For: 10.0.0.1'],
      (seen) => expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1')],
    ['X-Forwarded-For repeated', ['X-Forwarded-For: 10.0.0.1', 'X-Forwarded-For: 10.0.0.2'],
      (seen) => expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1')],
    ['X-Real-IP, X-Client-IP and True-Client-IP dropped', ['X-Real-IP: 10.0.0.1', 'X-Client-IP: 10.0.0.1', 'True-Client-IP: 10.0.0.1', 'X_Real_IP: 10.0.0.1'],
      (seen) => expect(Object.keys(seen.headers).filter((k) => /real.ip|client.ip/.test(k))).toEqual([])],
    ['X-Forwarded-Prefix and X-Forwarded-Server dropped', ['X-Forwarded-Prefix: /admin', 'X-Forwarded-Server: admin.internal'],
      (seen) => expect([seen.headers['x-forwarded-prefix'], seen.headers['x-forwarded-server']]).toEqual([undefined, undefined])],
  ]
  for (const [title, lines, check] of cases) {
    tally.attack('headers', title, async () => {
      const seen = await expectNeutralised(w, send(w, '/api/items', [bearer(w.exchange.actorToken()), ...lines]), app())
      check(seen)
    })
  }
  tally.attack('headers', 'the bearer token is not passed on to the backend', async () => {
    const seen = await expectNeutralised(w, send(w, '/api/items', [bearer(w.exchange.actorToken())]), app())
    expect(seen.headers.authorization).toBeUndefined()
  })
  tally.attack('headers', 'Host and X-Forwarded-Host cannot change the published metadata document', async () => {
    w.upstream.seen.length = 0
    const res = await send(w, '/metadata/json/1', ['X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: http']).then((r) => r)
    const hostile = await rawHttp(w.gw.url, ['GET /metadata/json/1 HTTP/1.1', 'Host: evil.example', 'Connection: close', '', ''].join('\r\n'))
    for (const r of [res, hostile]) {
      expect(r.status).toBe(200)
      expect((JSON.parse(r.body) as { endpoints: Array<{ location: string }> }).endpoints[0]?.location).toBe('https://gw.contoso.com/metadata/json/1')
      expect(r.body.includes('evil')).toBe(false)
    }
    expect(w.upstream.seen).toHaveLength(0)
  })
  tally.attack('headers', 'client-request-id with header syntax is not echoed back', async () => {
    const res = await send(w, '/api/items', [bearer(w.exchange.actorToken()), 'client-request-id: x; set-cookie=a"b'])
    expect(res.status).toBe(200)
    expect(res.headers['client-request-id']).toBeUndefined()
    expect(res.headers['set-cookie']).toBeUndefined()
  })
})
