// Forward-auth (issue 13): who may ask, what each dialect answers when the gateway cannot decide (keys unavailable)
// or the partner is over its rate, and forward-auth-only mode (no upstream: the inbound listener publishes our
// metadata and nothing else).
import http, { type ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { askDecision, bearer, nginxLines } from '../helpers/forward-auth.js'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway, type TestGatewayDeps } from '../helpers/gateway.js'
import { exchangeDocument, startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, PUBLIC_HOST, REALM, type TestPartner } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const LISTEN = { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, forwardAuth: { host: '127.0.0.1', port: 0 } }

/** A forward-auth-only gateway (no upstream) trusting one metadata partner. */
async function setup(partnerExtra: RawConfig = {}, overrides: RawConfig = {}, metadataDown = false, deps: TestGatewayDeps = {}): Promise<{ partner: TestPartner; meta: MetadataServer; gw: TestGateway; fa: string }> {
  const partner = await makeTestPartner()
  const meta = await startMetadataServer(partner)
  meta.down = metadataDown
  const gw = await startTestGateway('unused', {
    listen: LISTEN, upstream: { timeoutMs: 5000 }, partners: [metadataPartner('exchange', meta.url, partnerExtra)], ...overrides,
  }, deps)
  cleanups.push(() => meta.close(), () => gw.close())
  return { partner, meta, gw, fa: gw.running.forwardAuthUrl ?? '' }
}

const forwardLines = (uri: string): string[] => ['X-Forwarded-Method: GET', `X-Forwarded-Host: ${PUBLIC_HOST}`, `X-Forwarded-Uri: ${uri}`, 'X-Forwarded-Proto: https']

describe('trustedProxies', () => {
  it('a caller outside forwardAuth.trustedProxies gets 403 without a decision, whatever URI it names', async () => {
    const { partner, gw, fa } = await setup({}, { forwardAuth: { trustedProxies: ['10.0.0.0/8'] } })
    for (const [target, lines] of [['/auth/nginx', nginxLines('GET', '/api/people')], ['/auth/forward', forwardLines('/api/people')], ['/auth/envoy/api/people', [`Host: ${PUBLIC_HOST}`]]] as const) {
      const res = await askDecision(fa, target, [...lines, bearer(partner.actorToken())])
      expect(res.status).toBe(403)
      expect(res.headers['x-s2s-partner']).toBeUndefined()
    }
    const lines = gw.logs().filter((l) => l['msg'] === 'request' && l['listener'] === 'forward_auth')
    expect(lines.map((l) => l['reason'])).toEqual(['untrusted_caller', 'untrusted_caller', 'untrusted_caller'])
    // no token was looked at: nothing names the partner
    expect(lines.every((l) => l['partner'] === undefined)).toBe(true)
  })
})

describe('a partner whose keys are unavailable (503 inbound)', () => {
  it('/auth/nginx answers 401 with Retry-After and no challenge; /auth/envoy and /auth/forward answer 503', async () => {
    const { partner, fa } = await setup({ applicationId: partner0Id, realm: REALM }, {}, true)
    const nginx = await askDecision(fa, '/auth/nginx', [...nginxLines('GET', '/api/people'), bearer(partner.actorToken())])
    expect(nginx.status).toBe(401)
    expect(Number(nginx.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(nginx.headers['www-authenticate']).toBeUndefined()
    expect(nginx.headers['x-accel-expires']).toBe('0')
    const envoy = await askDecision(fa, '/auth/envoy/api/people', [`Host: ${PUBLIC_HOST}`, bearer(partner.actorToken())])
    expect(envoy.status).toBe(503)
    expect(JSON.parse(envoy.body)).toEqual({ error: 'unavailable', message: 'partner keys unavailable, retry later' })
    expect((await askDecision(fa, '/auth/forward', [...forwardLines('/api/people'), bearer(partner.actorToken())])).status).toBe(503)
  })
})

const partner0Id = '00000002-0000-0ff1-ce00-000000000000'

describe('limits', () => {
  it('a decision counts against the rate: over it, /auth/nginx is 403 with Retry-After, the others 429', async () => {
    // The limiter's clock stands still: the bucket never refills during the test.
    const { partner, gw, fa } = await setup({ limits: { ratePerSec: 1, burst: 2 } }, {}, false, { limitsNow: () => 1_000_000 })
    const ask = (): Promise<{ status: number; retry: string | undefined }> =>
      askDecision(fa, '/auth/nginx', [...nginxLines('GET', '/api/people'), bearer(partner.actorToken())]).then((r) => ({ status: r.status, retry: r.headers['retry-after'] }))
    expect((await ask()).status).toBe(200)
    expect((await ask()).status).toBe(200)
    const refused = await ask()
    expect(refused.status).toBe(403)
    expect(Number(refused.retry)).toBeGreaterThanOrEqual(1)
    const forward = await askDecision(fa, '/auth/forward', [...forwardLines('/api/people'), bearer(partner.actorToken())])
    expect(forward.status).toBe(429)
    expect(forward.headers['ratelimit']).toMatch(/^"partner";r=0;t=\d+$/)
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text()
    expect(metrics).toMatch(/s2s_gateway_requests_total\{listener="forward_auth",partner="exchange",auth_type="app",outcome="limited"\} 2\n/)
  })

  it("a decision whose proxy left while the token waited for the partner's keys takes nothing from the rate", async () => {
    const { partner, meta, gw, fa } = await setup({ limits: { ratePerSec: 1, burst: 1 } }, {}, false, { limitsNow: () => 1_000_000 })
    const installed = (): number => gw.logs().filter((l) => l['msg'] === 'partner signing keys installed').length
    await until(() => installed() === 1, 'the partner keys loaded')
    // A rotated certificate: the gateway refetches the document for the new token, and that fetch is held.
    await partner.rotate()
    const fetches: ServerResponse[] = []
    meta.handler = (_req, res) => void fetches.push(res)
    const url = new URL(fa)
    const headers = { 'x-original-method': 'GET', 'x-original-uri': '/api/people', 'x-original-host': PUBLIC_HOST, authorization: `Bearer ${partner.actorToken()}` }
    const gone = http.request({ host: url.hostname, port: url.port, path: '/auth/nginx', headers, agent: false })
    gone.on('error', () => {})
    gone.end()
    await until(() => fetches.length === 1, 'the refetch of the rotated keys')
    gone.destroy()
    await until(() => gw.logs().some((l) => l['listener'] === 'forward_auth' && l['msg'] === 'request'), "the left decision's line")
    meta.handler = undefined
    fetches[0]?.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(exchangeDocument(partner, meta.url)))
    await until(() => installed() === 2, 'the new keys installed')
    // The bucket's one token is still there (its clock stands still): the next decision is allowed.
    const next = await askDecision(fa, '/auth/nginx', [...nginxLines('GET', '/api/people'), bearer(partner.actorToken())])
    expect(next.status).toBe(200)
  })
})

describe('forward-auth only (listen.forwardAuth set, upstream omitted)', () => {
  it('the inbound listener serves /metadata/json/1 and 404 for everything else, token or not; decisions work', async () => {
    const { partner, gw, fa } = await setup()
    expect(gw.running.gateway.holder.current.forwardOnly).toBe(true)
    const metadata = await fetch(`${gw.url}/metadata/json/1`)
    expect(metadata.status).toBe(200)
    expect(((await metadata.json()) as { serviceName: string }).serviceName).toMatch(/^[0-9a-f-]{36}$/)
    for (const path of ['/', '/api/people', '/metadata/json/2']) {
      const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${partner.actorToken()}` } })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: 'not_found', message: 'not found' })
    }
    expect((await askDecision(fa, '/auth/nginx', [...nginxLines('GET', '/api/people'), bearer(partner.actorToken())])).status).toBe(200)
  })
})
