// Integration (issue 4 §1): scrape GET /metrics on the admin listener after real traffic through a real
// gateway, and check every metric's name, labels and values. Labels carry registered partner names only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { METRIC_DEFS } from '../../src/admin/metric-defs.js'
import { makeTestPartner, nowSec, wrapRaw, REALM, type TestPartner } from '../helpers/tokens.js'
import { eventually, startOperatingWorld, valueOf, type OperatingWorld, type Sample } from './operating-fixture.js'

let w: OperatingWorld
let rogue: TestPartner
let samples: Sample[]
const EVIL = 'evil-partner-name'

beforeAll(async () => {
  w = await startOperatingWorld({ overrides: () => ({ metadata: { refetchCooldownSec: 3600, timeoutMs: 2000 } }) })
  rogue = await makeTestPartner({ id: '99999999-9999-9999-9999-999999999999' })
  const app = w.exchange.actorToken()
  for (let i = 0; i < 3; i++) expect((await w.call(app)).status).toBe(200) // one cache miss, then two hits
  expect((await w.call(w.exchange.userToken({ upn: 'alice@contoso.com' }))).status).toBe(200)
  expect((await w.call(undefined)).status).toBe(401)
  expect((await w.call(rogue.actorToken({ iss: `${EVIL}@${REALM}`, nameid: `${EVIL}@${REALM}` }))).status).toBe(401) // unknown issuer
  expect((await w.call(wrapRaw({ iss: EVIL }, { alg: EVIL }))).status).toBe(401)
  expect((await w.call(w.exchange.actorToken({ nbf: nowSec() - 7200, exp: nowSec() - 360 }))).status).toBe(401)
  expect((await w.call(w.hr.userToken({ upn: 'bob@contoso.com' }))).status).toBe(403) // application trust
  expect((await w.call(w.lync.actorToken())).status).toBe(503) // metadata never reachable
  // unknown x5t twice: the first refetch is spent, the second is suppressed by the cooldown
  for (const x5t of ['unknown-1', 'unknown-2']) expect((await w.call(w.exchange.actorToken({}, { x5t }, rogue.cert.privateKey))).status).toBe(401)
  w.upstream.handler = (_req, res) => res.writeHead(503).end('backend busy')
  expect((await w.call(app, '/busy')).status).toBe(503)
  w.upstream.handler = (req) => req.socket.destroy()
  expect((await w.call(app, '/reset')).status).toBe(502)
  w.upstream.handler = undefined
  w.exchangeMeta.down = true
  await w.gw.running.gateway.holder.current.registry.all()[0]?.refreshNow() // fails: exchange is now stale
  // A request is counted when its response closes, which can be just after the client has read it.
  await eventually(async () => valueOf(await w.scrape(), 's2s_gateway_requests_in_flight') === 0)
  samples = await w.scrape()
})
afterAll(async () => {
  await w?.close()
})

const v = (name: string, labels: Record<string, string> = {}): number | undefined => valueOf(samples, name, labels)

describe('GET /metrics after real traffic', () => {
  it('exports every documented metric, and the default process metrics', async () => {
    const text = await (await fetch(`${w.gw.adminUrl}/metrics`)).text()
    for (const def of Object.values(METRIC_DEFS)) expect(text).toContain(`# TYPE ${def.name} ${def.type}`)
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter')
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge')
  })

  it('counts requests by partner, auth type and outcome, and their durations', () => {
    const requests = 's2s_gateway_requests_total'
    expect(v(requests, { listener: 'inbound', partner: 'exchange', auth_type: 'app', outcome: 'ok' })).toBe(4) // 3 + the 503 from the backend
    expect(v(requests, { listener: 'inbound', partner: 'exchange', auth_type: 'user', outcome: 'ok' })).toBe(1)
    expect(v(requests, { listener: 'inbound', partner: 'exchange', auth_type: 'none', outcome: 'rejected' })).toBe(3) // the 2 unknown x5t and the expired one
    expect(v(requests, { listener: 'inbound', partner: 'exchange', auth_type: 'app', outcome: 'upstream_error' })).toBe(1)
    // no token, unknown issuer, alg; an expired token is attributed to the registered partner it names
    expect(v(requests, { listener: 'inbound', partner: 'unknown', auth_type: 'none', outcome: 'rejected' })).toBe(3)
    expect(v(requests, { listener: 'inbound', partner: 'hr-addin', auth_type: 'user', outcome: 'forbidden' })).toBe(1) // verified, then refused by trust level
    expect(v(requests, { listener: 'inbound', partner: 'lync', auth_type: 'none', outcome: 'unavailable' })).toBe(1)
    expect(v('s2s_gateway_request_duration_seconds_count', { listener: 'inbound', outcome: 'ok' })).toBe(5)
    expect(v('s2s_gateway_request_duration_seconds_bucket', { listener: 'inbound', outcome: 'ok', le: '+Inf' })).toBe(5)
    expect(v('s2s_gateway_requests_in_flight')).toBe(0)
  })

  it('counts token validations with their reasons, and verified-token cache hits and misses', () => {
    const validations = 's2s_gateway_token_validations_total'
    expect(v(validations, { partner: 'exchange', result: 'ok', reason: 'ok' })).toBe(6)
    expect(v(validations, { partner: 'exchange', result: 'rejected', reason: 'expired' })).toBe(1)
    expect(v(validations, { partner: 'unknown', result: 'rejected', reason: 'alg_not_allowed' })).toBe(1)
    expect(v(validations, { partner: 'exchange', result: 'rejected', reason: 'signature' })).toBe(2)
    expect(v(validations, { partner: 'unknown', result: 'rejected', reason: 'issuer_unknown' })).toBe(1)
    expect(v(validations, { partner: 'hr-addin', result: 'forbidden', reason: 'trust_level' })).toBe(1)
    expect(v(validations, { partner: 'lync', result: 'unavailable', reason: 'partner_unavailable' })).toBe(1)
    expect(v('s2s_gateway_token_cache_total', { result: 'hit' })).toBe(4) // calls 2 and 3, /busy, /reset
  })

  it('times backend answers by status class and counts backend failures by kind', () => {
    expect(v('s2s_gateway_upstream_duration_seconds_count', { status_class: '2xx' })).toBe(4)
    expect(v('s2s_gateway_upstream_duration_seconds_count', { status_class: '5xx' })).toBe(1)
    expect(v('s2s_gateway_upstream_errors_total', { kind: 'reset' })).toBe(1)
  })

  it('reports metadata fetches, age, staleness, key state and suppressed refetches per partner', () => {
    expect(v('s2s_gateway_metadata_fetches_total', { partner: 'exchange', result: 'ok' })).toBe(2) // initial + one on-demand
    expect(v('s2s_gateway_metadata_fetches_total', { partner: 'exchange', result: 'error' })).toBe(1)
    expect(v('s2s_gateway_metadata_fetches_total', { partner: 'lync', result: 'error' })).toBeGreaterThanOrEqual(1)
    expect(v('s2s_gateway_metadata_stale', { partner: 'exchange' })).toBe(1)
    expect(v('s2s_gateway_metadata_stale', { partner: 'lync' })).toBe(0)
    expect(v('s2s_gateway_metadata_age_seconds', { partner: 'exchange' })).toBeGreaterThanOrEqual(0)
    expect(v('s2s_gateway_metadata_age_seconds', { partner: 'lync' })).toBeUndefined() // no keys, no age
    expect(v('s2s_gateway_partner_state', { partner: 'lync', state: 'failed' })).toBe(1)
    expect(v('s2s_gateway_partner_state', { partner: 'hr-addin', state: 'ok' })).toBe(1)
    expect(v('s2s_gateway_partner_keys', { partner: 'exchange' })).toBe(1)
    expect(v('s2s_gateway_key_refetch_suppressed_total', { partner: 'exchange' })).toBe(1)
  })

  it('exports the expiry of our issuer certificate and of partner certificates, by x5t', () => {
    // X.509 times have whole seconds.
    const expiry = (owner: string, cert: { x5t: string; notAfter: Date }): void =>
      expect(v('s2s_gateway_certificate_expiry_timestamp_seconds', { owner, x5t: cert.x5t })).toBe(Math.floor(cert.notAfter.getTime() / 1000))
    expiry('self', w.gw.issuerCert)
    expiry('exchange', w.exchange.cert)
    expiry('hr-addin', w.hr.cert)
  })

  it('labels only registered partner names or unknown, never a caller-supplied string', async () => {
    const text = await (await fetch(`${w.gw.adminUrl}/metrics`)).text()
    expect(text).not.toContain(EVIL)
    const partnerLabels = new Set(samples.flatMap((s) => [s.labels['partner'], s.labels['owner']]).filter((l) => l !== undefined))
    expect([...partnerLabels].sort()).toEqual(['exchange', 'hr-addin', 'lync', 'self', 'unknown'])
  })

  it('drops the scrape-time series of a removed partner at the next scrape', async () => {
    const before = samples.filter((s) => s.labels['partner'] === 'lync' && s.name === 's2s_gateway_partner_state')
    expect(before).toHaveLength(5) // ok, stale, snapshot, failed, loading
    w.gw.reload({ partners: w.partners.filter((p) => p['name'] !== 'lync'), metadata: { refetchCooldownSec: 3600, timeoutMs: 2000 } })
    const after = await w.scrape()
    expect(after.filter((s) => s.labels['partner'] === 'lync' && s.name === 's2s_gateway_partner_state')).toEqual([])
    expect(valueOf(after, 's2s_gateway_config_reloads_total', { result: 'success' })).toBe(1)
  })
})

describe('one registry per gateway', () => {
  it('two gateways in one process count their own traffic only', async () => {
    const other = await startOperatingWorld()
    try {
      expect((await other.call(other.exchange.actorToken())).status).toBe(200)
      const mine = await other.scrape()
      expect(valueOf(mine, 's2s_gateway_requests_total', { listener: 'inbound', partner: 'exchange', auth_type: 'app', outcome: 'ok' })).toBe(1)
      expect(valueOf(await w.scrape(), 's2s_gateway_requests_total', { listener: 'inbound', partner: 'exchange', auth_type: 'app', outcome: 'ok' })).toBe(4)
    } finally {
      await other.close()
    }
  })
})
