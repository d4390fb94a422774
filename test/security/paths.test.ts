// Security suite, paths (issue 5 §1): every way to make the path we check differ from the path the backend
// routes (%2F, %5C, %2e%2e, //, ;, #, overlong and double encodings, absolute-form), and every way to reach the
// backend through a configured public path or through /metadata/json/1 spelled differently.
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { securityTally } from './report.js'
import { bearer, expectNeutralised, expectRefused, exchangeApp, send, startWorld, type World } from './world.js'

let w: World
beforeAll(async () => {
  w = await startWorld()
})
afterAll(async () => {
  await w?.close()
})

const tally = securityTally('paths', import.meta.url)
const anonymous = (target: string, status: number) => () => expectRefused(w, send(w, target), status, { missing: status === 401 })

describe('public paths used to reach the backend (no token)', () => {
  const cases: Array<[string, number]> = [
    ['/public/ping/', 401],
    ['/PUBLIC/PING', 401],
    ['/Public/Ping', 401],
    ['/public/ping;jsessionid=1', 401],
    ['/public/ping%3Bx', 401],
    ['/public/pin%67', 401],
    ['/public/ping/admin', 401],
    ['/public/ping%252F..%252Fadmin', 401], // double-encoded: not the public path, so authenticated
    ['/public/ping%EF%BC%8F..%EF%BC%8Fadmin', 401], // fullwidth solidus
    ['/status/Health', 401],
    ['/public/ping/..', 400],
    ['/public/ping/../../admin', 400],
    ['/public/ping;/../admin', 400],
    ['/public/ping%2F..%2Fadmin', 400],
    ['/public/ping%2f..%2fadmin', 400],
    ['/public/ping%5C..%5Cadmin', 400],
    ['/public/ping\\..\\admin', 400],
    ['/public//ping', 400],
    ['//public/ping', 400],
    ['/public/./ping', 400],
    ['/public/%2e/ping', 400],
    ['/public/%2E%2E/admin', 400],
    ['/public/ping#/../admin', 400],
    ['/public/ping%00', 400],
    ['/public/ping%C0%AF..%C0%AFadmin', 400], // overlong UTF-8 "/" (IIS Unicode traversal)
    ['/public/ping%zz', 400],
  ]
  for (const [target, status] of cases) tally.attack('paths', `${target} → ${status}`, anonymous(target, status))
  tally.attack('paths', 'absolute-form target naming a public path → 400', anonymous(`http://127.0.0.1/public/ping`, 400))
  tally.attack('paths', 'asterisk-form target (OPTIONS *) → 400', () => expectRefused(w, send(w, '*', [], 'OPTIONS'), 400))
  tally.attack('paths', 'a public path with X-Original-URL / X-Rewrite-URL naming another route: dropped', async () => {
    const seen = await expectNeutralised(w, send(w, '/public/ping', ['X-Original-URL: /admin', 'X-Rewrite-URL: /admin']), [])
    expect(seen.url).toBe('/public/ping')
    expect(Object.keys(seen.headers).filter((n) => /original|rewrite/.test(n))).toEqual([])
  })
  tally.attack('paths', 'a public path with a query full of traversal reaches exactly that path, without identity', async () => {
    const seen = await expectNeutralised(w, send(w, '/public/ping?next=/../admin&x=%2F..%2F'), [])
    expect(seen.url).toBe('/public/ping?next=/../admin&x=%2F..%2F')
  })
})

describe('/metadata/json/1 spelled differently (no token)', () => {
  const cases: Array<[string, number]> = [
    ['/METADATA/JSON/1', 401],
    ['/Metadata/json/1', 401],
    ['/metadata/JSON/1', 401],
    ['/metadata/json/1/', 401],
    ['/metadata/json/1;x', 401],
    ['/metadata/json/1.json', 401],
    // Compared byte for byte, as every path is: %31 is not the public path (no router decodes it before we look).
    ['/metadata/json/%31', 401],
    ['/metadata/json/1/../../api', 400],
    ['/metadata//json/1', 400],
    ['/metadata/json/1%2F..%2Fapi', 400],
  ]
  for (const [target, status] of cases) tally.attack('paths', `${target} → ${status}`, anonymous(target, status))
  tally.attack('paths', 'POST /metadata/json/1 → 401 (only GET is anonymous)', () => expectRefused(w, send(w, '/metadata/json/1', ['Content-Type: application/json'], 'POST', '{}'), 401, { missing: true }))
  tally.attack('paths', 'DELETE /metadata/json/1 → 401', () => expectRefused(w, send(w, '/metadata/json/1', [], 'DELETE'), 401, { missing: true }))
  for (const target of ['/metadata/json/1?x=/../../api']) {
    tally.attack('paths', `${target} is answered by the gateway itself, never the backend`, async () => {
      w.upstream.seen.length = 0
      const res = await send(w, target)
      expect(res.status).toBe(200)
      expect(JSON.parse(res.body)).toHaveProperty('issuer', `${w.gw.running.gateway.holder.current.config.service.id}@contoso.com`)
      expect(w.upstream.seen).toHaveLength(0)
    })
  }
})

describe('ambiguous paths with a valid token: refused before routing, whoever asks', () => {
  const cases = ['/api/%2Fadmin', '/api/%5Cadmin', '/api/%2e%2e/admin', '/api//admin', '/api/x#frag', '/api/%00', '/api/%C0%AE%C0%AE/admin', 'http://evil.example/api']
  for (const target of cases) {
    tally.attack('paths', `${target} with a valid token → 400`, () => expectRefused(w, send(w, target, [bearer(w.exchange.actorToken())]), 400))
  }
  tally.attack('paths', "authority-form target on GET with a valid token → Node's own 400", () =>
    expectRefused(w, send(w, '127.0.0.1:80', [bearer(w.exchange.actorToken())]), 400, { foreign: true }))
  tally.attack('paths', '";" is forwarded unchanged: the path forwarded is the path checked', async () => {
    const seen = await expectNeutralised(w, send(w, '/api/items;jsessionid=1/..%3B/admin', [bearer(w.exchange.actorToken())]), exchangeApp(w))
    expect(seen.url).toBe('/api/items;jsessionid=1/..%3B/admin')
  })
})
