// Integration (issue 4 with issue 7): an authorization server on the admin routes. /status.json, /status and
// /readyz show its metadata key state; a partner reached through it shows the server's health and no keys of its
// own; its certificate and key state are exported under its name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StatusReport } from '../../src/admin/status-data.js'
import type { AuthServer } from '../helpers/auth-server.js'
import { startWorldWithAuthServer, valueOf, type OperatingWorld } from './operating-fixture.js'

let acs: AuthServer
let w: OperatingWorld

beforeAll(async () => {
  ;({ acs, w } = await startWorldWithAuthServer())
  await w.gw.running.gateway.holder.current.authorizationServers.loadAll()
})
afterAll(async () => {
  await w?.close()
  await acs?.close()
})

describe('an authorization server on the admin routes', () => {
  it('has its own row in /status.json, and its partner points at it', async () => {
    const report = (await (await fetch(`${w.gw.adminUrl}/status.json`)).json()) as StatusReport
    expect(report.authorizationServers).toEqual([
      expect.objectContaining({ name: 'acs', issuer: acs.issuer, metadataUrl: acs.metadataUrl, health: 'healthy', keys: 1, lastFetch: expect.objectContaining({ ok: true }) }),
    ])
    expect(report.authorizationServers[0]?.certificates.map((c) => c.x5t)).toEqual([acs.cert.x5t])
    expect(report.partners.find((p) => p.name === 'spo')).toMatchObject({ registration: 'authorization-server', authorizationServer: 'acs', health: 'healthy', keys: 0, certificates: [] })
  })

  it('is listed by /readyz and on the status page', async () => {
    const ready = (await (await fetch(`${w.gw.adminUrl}/readyz`)).json()) as { authorizationServers: Array<{ name: string; health: string }> }
    expect(ready.authorizationServers).toEqual([expect.objectContaining({ name: 'acs', health: 'healthy' })])
    const page = await (await fetch(`${w.gw.adminUrl}/status`)).text()
    expect(page).toContain('data-server="acs" data-health="healthy"')
    expect(page).toContain('tokens from authorization server</span> <strong>acs</strong>')
  })

  it('exports its certificate expiry and key state under its name, and no key series for its partner', async () => {
    const samples = await w.scrape()
    expect(valueOf(samples, 's2s_gateway_certificate_expiry_timestamp_seconds', { owner: 'acs', x5t: acs.cert.x5t })).toBe(Math.floor(acs.cert.notAfter.getTime() / 1000))
    expect(valueOf(samples, 's2s_gateway_partner_state', { partner: 'acs', state: 'ok' })).toBe(1)
    expect(valueOf(samples, 's2s_gateway_metadata_stale', { partner: 'acs' })).toBe(0)
    expect(samples.filter((s) => s.labels['partner'] === 'spo' && s.name.startsWith('s2s_gateway_partner_'))).toEqual([])
  })
})
