// Integration (issue 4 §2, §5): /healthz, /readyz, /status.json and /status on the admin listener: identity,
// certificates with x5t and days to expiry, a row per partner with its key state and recent traffic,
// everything HTML-escaped, and no secrets (private keys, tokens, the reload token, URL credentials).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StatusReport } from '../../src/admin/status-data.js'
import { metadataPartner } from '../helpers/gateway.js'
import { eventually, startOperatingWorld, valueOf, type OperatingWorld } from './operating-fixture.js'

const RELOAD_TOKEN = 'status-test-reload-token-77ab'
let w: OperatingWorld
let report: StatusReport
let page: Response
let html: string
const tokens: string[] = []

beforeAll(async () => {
  w = await startOperatingWorld({
    overrides: (partners) => ({
      service: { id: '5f1c9a3e-7b2d-4c8e-9f10-112233445566', name: 'Legacy <HR> & "API"', realm: 'contoso.com', publicHosts: ['gw.contoso.com'] },
      admin: { reloadToken: RELOAD_TOKEN },
      // a metadata URL carrying a query secret: shown without it
      partners: partners.map((p) => (p['name'] === 'exchange' ? metadataPartner('exchange', `${String(p['metadataUrl'])}?sig=query-secret-value`) : p)),
    }),
  })
  tokens.push(w.exchange.actorToken(), w.exchange.userToken({ upn: 'alice@contoso.com' }), w.hr.actorToken(), w.lync.actorToken())
  const statuses = []
  for (const token of tokens) statuses.push((await w.call(token)).status)
  statuses.push((await w.call('not-a-token')).status)
  expect(statuses).toEqual([200, 200, 200, 503, 401])
  await eventually(async () => valueOf(await w.scrape(), 's2s_gateway_requests_in_flight') === 0)
  report = (await (await fetch(`${w.gw.adminUrl}/status.json`)).json()) as StatusReport
  page = await fetch(`${w.gw.adminUrl}/status`)
  html = await page.text()
})
afterAll(async () => {
  await w?.close()
})

describe('/healthz and /readyz', () => {
  it('healthz answers while the process lives', async () => {
    const res = await fetch(`${w.gw.adminUrl}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('readyz is 200 with each partner key state, though one partner is failing', async () => {
    const res = await fetch(`${w.gw.adminUrl}/readyz`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; partners: Array<{ name: string; health: string }>; config: { loadedAt: string } }
    expect(body.status).toBe('ready')
    expect(body.partners.map((p) => [p.name, p.health])).toEqual([['exchange', 'healthy'], ['lync', 'failing'], ['hr-addin', 'healthy']])
    expect(Date.parse(body.config.loadedAt)).not.toBeNaN()
  })
})

describe('/status.json', () => {
  it("shows the gateway's identity", () => {
    expect(report.gateway).toMatchObject({
      serviceId: '5f1c9a3e-7b2d-4c8e-9f10-112233445566', name: 'Legacy <HR> & "API"', realm: 'contoso.com',
      publicHosts: ['gw.contoso.com'], metadataUrl: 'https://gw.contoso.com/metadata/json/1', ready: true, draining: false, windowMinutes: 15,
    })
  })

  it('lists our certificates with x5t and days to expiry', () => {
    const cert = w.gw.issuerCert
    const days = Math.floor((cert.notAfter.getTime() - Date.now()) / 86_400_000)
    expect(report.certificates).toEqual([expect.objectContaining({ x5t: cert.x5t, signing: true, health: 'healthy' })])
    expect(report.certificates[0]?.daysToExpiry).toBeGreaterThanOrEqual(days - 1)
    expect(report.certificates[0]?.daysToExpiry).toBeLessThanOrEqual(days)
  })

  it('has a row per partner: trust level, source, last fetch, keys, health and traffic', () => {
    const [exchange, lync, hr] = report.partners
    expect(exchange).toMatchObject({
      name: 'exchange', trustLevel: 'full', registration: 'metadata', health: 'healthy', state: 'ok', keys: 1,
      lastFetch: { ok: true, error: null }, traffic: { requests: 2, rejections: 0 },
    })
    expect(exchange?.metadataUrl).toBe(w.exchangeMeta.url) // the query is not shown
    expect(exchange?.certificates.map((c) => c.x5t)).toEqual([w.exchange.cert.x5t])
    expect(lync).toMatchObject({ name: 'lync', health: 'failing', state: 'failed', keys: 0, keysAgeSec: null, traffic: { requests: 1, rejections: 1 } })
    // Issue 15: the HTTP status (or errno) of the failed fetch, not only "status"/"network".
    expect(lync?.lastFetch).toMatchObject({ ok: false, error: 'status', detail: 'HTTP 503' })
    expect(hr).toMatchObject({ name: 'hr-addin', trustLevel: 'application', registration: 'certificates', metadataUrl: null, lastFetch: null, health: 'healthy' })
    expect(report.traffic).toMatchObject({ requests: 5, rejections: 2 })
    expect(report.unattributed).toMatchObject({ requests: 1, rejections: 1 })
    expect(report.traffic.perMinute).toHaveLength(15)
  })
})

describe('/status', () => {
  it('is self-contained HTML with a strict content security policy', () => {
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i)
  })

  it('escapes every value', () => {
    expect(html).toContain('Legacy &lt;HR&gt; &amp; &quot;API&quot;')
    expect(html).not.toContain('<HR>')
  })

  it('shows why a metadata fetch failed, with the HTTP status', () => {
    const row = html.slice(html.indexOf('data-partner="lync"'))
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('failed: <code>status</code> HTTP 503')
  })

  it('marks each partner row with its health', () => {
    for (const [name, health] of [['exchange', 'healthy'], ['lync', 'failing'], ['hr-addin', 'healthy']]) {
      expect(html).toContain(`data-partner="${name}" data-health="${health}"`)
    }
  })
})

describe('no secrets on the status routes', () => {
  it('neither /status nor /status.json shows keys, tokens, the reload token or URL query secrets', async () => {
    const json = JSON.stringify(report)
    for (const text of [html, json]) {
      expect(text).not.toContain('PRIVATE KEY')
      expect(text).not.toContain(RELOAD_TOKEN)
      expect(text).not.toContain('query-secret-value')
      for (const token of tokens) expect(text).not.toContain(token.split('.')[1])
      for (const pem of [w.gw.issuerCert.keyPem, w.exchange.cert.keyPem]) {
        for (const line of pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))) expect(text).not.toContain(line)
      }
    }
  })
})
