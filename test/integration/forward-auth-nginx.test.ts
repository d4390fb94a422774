// Forward-auth (issue 13) end to end through real nginx (Debian's package) running the shipped
// deploy/nginx/s2s-gateway.conf on loopback: nginx asks the gateway (forward-auth only: no upstream of its own),
// forwards allowed calls to an echo backend with the identity headers, and caches decisions.
import { statSync } from 'node:fs'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway, type TestGatewayDeps } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { freePort, NGINX_BINARY, shippedNginxSite, startNginx, type RunningNginx } from '../helpers/nginx.js'
import { makeTestPartner, nowSec, PUBLIC_HOST, REALM, type TestPartner } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'

const LYNC_ID = '00000004-0000-0ff1-ce00-000000000000'

interface World {
  backend: EchoUpstream
  exchange: TestPartner
  lync: TestPartner
  metas: MetadataServer[]
  gw: TestGateway
  nginx: RunningNginx
  close(): Promise<void>
}

/** Gateway (forward-auth only), backend and nginx; `lync` is registered but its metadata never answers. */
async function startWorld(overrides: RawConfig, exchangeExtra: RawConfig = {}, deps: TestGatewayDeps = {}): Promise<World> {
  const backend = await startEchoUpstream()
  const exchange = await makeTestPartner()
  const lync = await makeTestPartner({ id: LYNC_ID })
  const metas = [await startMetadataServer(exchange), await startMetadataServer(lync)]
  metas[1]!.down = true
  const gw = await startTestGateway('unused', {
    listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, forwardAuth: { host: '127.0.0.1', port: 0 } },
    upstream: { timeoutMs: 5000 },
    partners: [
      metadataPartner('exchange', metas[0]!.url, { permissions: [{ name: 'read-api', paths: ['/api/**'], right: 'read' }], ...exchangeExtra }),
      metadataPartner('lync', metas[1]!.url, { applicationId: LYNC_ID, realm: REALM }),
    ],
    ...overrides,
  }, deps)
  const port = await freePort()
  const hostOf = (url: string | undefined): string => new URL(url ?? '').host
  const nginx = await startNginx(shippedNginxSite({ decisions: hostOf(gw.running.forwardAuthUrl), inbound: hostOf(gw.url), backend: hostOf(backend.url), port }), port)
  return {
    backend, exchange, lync, metas, gw, nginx,
    async close() {
      await nginx.close()
      await gw.close()
      for (const m of metas) await m.close()
      await backend.close()
    },
  }
}

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

/** A client request to nginx as the public host, extra headers as given. */
function get(world: World, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const url = new URL(world.nginx.url)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method, headers: { host: PUBLIC_HOST, ...headers }, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
/** Decisions the gateway made for an original path (its forward-auth access lines). */
const decisions = (world: World, path: string): number =>
  world.gw.logs().filter((l) => l['msg'] === 'request' && l['listener'] === 'forward_auth' && l['path'] === path).length
const lastSeen = (world: World): http.IncomingHttpHeaders => world.backend.seen.at(-1)?.headers ?? {}

describe.skipIf(NGINX_BINARY === undefined)('nginx auth_request with the shipped config', () => {
  let w: World
  beforeAll(async () => {
    w = await startWorld({ forwardAuth: { maxCacheSec: 30 }, tokens: { clockSkewSec: 0 } })
  })
  afterAll(async () => w.close())

  it('an app-only token reaches the backend with the identity headers; the client\'s x-s2s-* copies never do', async () => {
    const res = await get(w, '/api/people?top=5', {
      ...auth(w.exchange.actorToken()),
      'x-s2s-partner': 'evil', 'x-s2s-user-upn': 'ceo@contoso.com', 'x-s2s-permission': 'admin', 'x-s2s-issuer': 'acs',
      'X_S2S_Partner': 'evil-underscore',
    })
    expect(res.status).toBe(200)
    const seen = lastSeen(w)
    expect(w.backend.seen.at(-1)?.url).toBe('/api/people?top=5')
    expect(seen['x-s2s-partner']).toBe('exchange')
    expect(seen['x-s2s-auth-type']).toBe('app')
    expect(seen['x-s2s-permission']).toBe('read-api')
    expect(seen['x-s2s-user-upn']).toBeUndefined()
    expect(seen['x-s2s-issuer']).toBeUndefined()
    expect(Object.keys(seen).filter((h) => h.replace(/_/g, '-').startsWith('x-s2s-')).sort()).toEqual(
      ['x-s2s-auth-type', 'x-s2s-partner', 'x-s2s-partner-id', 'x-s2s-permission', 'x-s2s-realm', 'x-s2s-trust-level'])
    expect(seen['authorization']).toBeUndefined()
  })

  it('a user token reaches the backend with the user headers', async () => {
    const res = await get(w, '/api/me', auth(w.exchange.userToken({ upn: 'alice@contoso.com', smtp: 'alice@contoso.com', nameid: 'alice' })))
    expect(res.status).toBe(200)
    expect(lastSeen(w)['x-s2s-user-upn']).toBe('alice@contoso.com')
    expect(lastSeen(w)['x-s2s-auth-type']).toBe('user')
  })

  it('no token: 401 with the gateway\'s challenge reaches the client, nothing reaches the backend', async () => {
    const before = w.backend.seen.length
    const res = await get(w, '/api/people')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="contoso\.com",client_id="[0-9a-f-]{36}",trusted_issuers="/)
    expect(JSON.parse(res.body)).toEqual({ error: 'unauthorized', message: 'bearer token required' })
    const bad = await get(w, '/api/people', auth(w.exchange.actorToken({ exp: nowSec() - 60 })))
    expect(bad.status).toBe(401)
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"')
    expect(JSON.parse(bad.body)).toEqual({ error: 'invalid_token', message: 'token rejected' })
    expect(w.backend.seen.length).toBe(before)
  })

  it('a permission deny is 403; a spoofed X-Original-URI or a /./ path is judged on the real URI', async () => {
    const token = w.exchange.actorToken()
    expect((await get(w, '/api/people', auth(token), 'DELETE')).status).toBe(403)
    expect((await get(w, '/admin/users', { ...auth(token), 'x-original-uri': '/api/people', 'x-original-method': 'GET', 'x-forwarded-uri': '/api/people' })).status).toBe(403)
    expect((await get(w, '/api/./people', auth(token))).status).toBe(403)
    expect((await get(w, '/api/x/..;/people', auth(token))).status).toBe(403)
    expect((await get(w, '/api/people', { ...auth(token), 'x-http-method-override': 'DELETE' }, 'POST')).status).toBe(403)
  })

  it('publishes /metadata/json/1 from the gateway without a token', async () => {
    const res = await get(w, '/metadata/json/1')
    expect(res.status).toBe(200)
    expect((JSON.parse(res.body) as { realm: string }).realm).toBe(REALM)
  })

  it('a partner whose keys are unavailable: the client gets 503 with Retry-After, not 500 or 401', async () => {
    const res = await get(w, '/api/people', auth(w.lync.actorToken()))
    expect(res.status).toBe(503)
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(res.body)).toEqual({ error: 'unavailable', message: 'partner keys unavailable, retry later' })
  })

  it('caches a decision: the gateway sees one decision for N requests with one token', async () => {
    const token = w.exchange.actorToken()
    for (let i = 0; i < 5; i++) expect((await get(w, '/api/cached', auth(token))).status).toBe(200)
    expect(decisions(w, '/api/cached')).toBe(1)
    expect(w.backend.seen.filter((s) => s.url === '/api/cached')).toHaveLength(5)
    // another token is another key: its own decision
    expect((await get(w, '/api/cached', auth(w.exchange.actorToken({ nameid: w.exchange.issuer, jti: 'other' })))).status).toBe(200)
    expect(decisions(w, '/api/cached')).toBe(2)
    // the cache directory holds tokens: private to nginx's workers
    expect(statSync(w.nginx.cacheDir).mode & 0o777).toBe(0o700)
  })

  it('a cached decision expires with its token (X-Accel-Expires never outlives exp)', async () => {
    const token = w.exchange.actorToken({ exp: nowSec() + 3 })
    expect((await get(w, '/api/expiring', auth(token))).status).toBe(200)
    expect((await get(w, '/api/expiring', auth(token))).status).toBe(200)
    expect(decisions(w, '/api/expiring')).toBe(1)
    // Once the token has expired, nginx asks again and the gateway refuses it.
    await until(async () => (await get(w, '/api/expiring', auth(token))).status === 401, 'the expired token refused', 15_000, 250)
    expect(decisions(w, '/api/expiring')).toBeGreaterThanOrEqual(2)
  })
})

/** Like `get`, with raw header lines (a name may repeat). */
function getRaw(world: World, path: string, lines: Array<[string, string]>): Promise<Answer> {
  const url = new URL(world.nginx.url)
  const headers = [['Host', PUBLIC_HOST], ...lines].flat()
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method: 'GET', headers, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe.skipIf(NGINX_BINARY === undefined)('nginx: the decision cache\'s key, and what else of the client reaches the backend', () => {
  let w: World
  beforeAll(async () => {
    w = await startWorld(
      { forwardAuth: { maxCacheSec: 30 }, access: { deny: [{ name: 'no-delete', paths: ['/api/**'], methods: ['DELETE'] }] } },
      { permissions: [{ name: 'all-api', paths: ['/api/**'], right: 'full' }] },
    )
  })
  afterAll(async () => w.close())
  const reached = (path: string): number => w.backend.seen.filter((s) => s.url === path).length

  it('an allow is never served to a request whose fields shift into the same key (an override value holding |)', async () => {
    const token = w.exchange.actorToken()
    // A: the key text would be "…|GET|GET|DELETE||X|host|uri": an override holding `|` is not a method, so no allow.
    expect((await get(w, '/api/k1', { ...auth(token), 'x-http-method': 'GET|DELETE', 'x-method-override': 'X' })).status).toBe(403)
    // B: the same text from other fields, naming DELETE (refused by access.deny): asked, refused, never forwarded.
    expect((await get(w, '/api/k1', { ...auth(token), 'x-http-method': 'GET', 'x-http-method-override': 'DELETE', 'x-method-override': '|X' })).status).toBe(403)
    expect(reached('/api/k1')).toBe(0)
  })

  it('an allow is never served to a request whose fields shift into the same key (a target holding |)', async () => {
    const token = w.exchange.actorToken()
    // A's target would give B (override "|h|/api/k2", Host "evil", target "/admin") A's key: refused outright.
    expect((await get(w, `/api/k2|evil|/admin`, auth(token))).status).toBe(403)
    expect((await get(w, '/api/k2%7Cevil', auth(token))).status).toBe(200)
    expect(w.backend.seen.some((s) => s.url.includes('|'))).toBe(false)
  })

  it('a repeated override header: the backend gets the one value the decision judged (nginx 1.22 keys the first)', async () => {
    const token = w.exchange.actorToken({ jti: 'repeat' })
    expect((await getRaw(w, '/api/k3', [['Authorization', `Bearer ${token}`], ['X-HTTP-Method', 'GET']])).status).toBe(200)
    // The same key on nginx 1.22 (its $http_x_http_method is the first copy): served from the cache, and the
    // backend must not see the DELETE that no decision judged. (nginx >= 1.23 joins the copies: another key, refused.)
    const res = await getRaw(w, '/api/k3', [['Authorization', `Bearer ${token}`], ['X-HTTP-Method', 'GET'], ['X-HTTP-Method', 'DELETE']])
    expect([200, 403]).toContain(res.status)
    const seen = w.backend.seen.filter((s) => s.url === '/api/k3').map((s) => s.rawHeaders.filter((_, i, a) => i % 2 === 1 && /^x-http-method$/i.test(a[i - 1] ?? '')))
    expect(seen).toEqual(res.status === 200 ? [['GET'], ['GET']] : [['GET']])
  })

  it('the path overrides and the client\'s claims about where it came from never reach the backend', async () => {
    const res = await get(w, '/api/people', {
      ...auth(w.exchange.actorToken()),
      'x-original-url': '/admin/users', 'x-rewrite-url': '/admin/users',
      'x-forwarded-host': 'admin.internal', 'x-forwarded-prefix': '/admin', 'x-forwarded-port': '8443', 'x-forwarded-proto': 'https',
      forwarded: 'for=10.0.0.1;host=admin.internal', 'x-real-ip': '10.0.0.1', 'true-client-ip': '10.0.0.1', 'x-client-ip': '10.0.0.1',
      'front-end-https': 'on', 'x-url-scheme': 'https', 'x-forwarded-for': '10.0.0.1',
    })
    expect(res.status).toBe(200)
    const seen = lastSeen(w)
    expect(Object.keys(seen).filter((n) => /original-url|rewrite-url|prefix|port|^forwarded$|real-ip|client-ip|front-end|url-scheme/.test(n))).toEqual([])
    expect({ host: seen['x-forwarded-host'], proto: seen['x-forwarded-proto'], for: seen['x-forwarded-for'] }).toEqual({ host: PUBLIC_HOST, proto: 'http', for: '127.0.0.1' })
  })
})

describe.skipIf(NGINX_BINARY === undefined)('nginx: limits', () => {
  let w: World
  beforeAll(async () => {
    // The limiter's clock stands still (no refill during the test).
    w = await startWorld({}, { limits: { ratePerSec: 1, burst: 1 } }, { limitsNow: () => 5_000_000 })
  })
  afterAll(async () => w.close())

  it('a partner over its rate: 429 with Retry-After and the RateLimit fields for the client', async () => {
    const token = w.exchange.actorToken()
    expect((await get(w, '/api/a', auth(token))).status).toBe(200)
    const refused = await get(w, '/api/b', auth(token))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(refused.headers['ratelimit']).toMatch(/^"partner";r=0;t=\d+$/)
    expect(JSON.parse(refused.body)).toEqual({ error: 'rate_limited', message: 'too many requests, retry later' })
  })
})

describe.skipIf(NGINX_BINARY === undefined)('nginx: reloads', () => {
  let w: World
  beforeAll(async () => {
    w = await startWorld({ forwardAuth: { maxCacheSec: 2 } })
  })
  afterAll(async () => w.close())

  it('a reload that removes the partner is honoured once maxCacheSec has passed', async () => {
    const token = w.exchange.actorToken()
    expect((await get(w, '/api/a', auth(token))).status).toBe(200)
    w.gw.reload({
      listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, forwardAuth: { host: '127.0.0.1', port: 0 } },
      upstream: { timeoutMs: 5000 }, forwardAuth: { maxCacheSec: 2 }, partners: [],
    })
    // maxCacheSec (2 s) and one more: no decision cached before the reload may still be served.
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const res = await get(w, '/api/a', auth(token))
    expect(res.status).toBe(401)
  })
})
