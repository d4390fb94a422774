// Regression (issue 15, defect 7): metric labels said less than the gateway knew. A fully verified user token
// refused with 403 was counted as auth_type="none"; a WebSocket request with a valid token as partner="unknown";
// an authorization server's metadata fetches were not counted at all; and a server token refused by a key-free
// check was labelled partner="unknown" although the token named its server and application.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthServer } from '../helpers/auth-server.js'
import { rawHttp } from '../helpers/raw-http.js'
import { nowSec } from '../helpers/tokens.js'
import { eventually, SPO_ID, startWorldWithAuthServer, valueOf, type OperatingWorld } from './operating-fixture.js'

const STRANGER_ID = '99999999-2222-3333-4444-555555555555'
let acs: AuthServer
let w: OperatingWorld

beforeAll(async () => {
  ;({ acs, w } = await startWorldWithAuthServer())
})
afterAll(async () => {
  await w?.close()
  await acs?.close()
})

/** Scrape once no request is in flight any more (a request is counted when its response closes). */
async function settled(): ReturnType<OperatingWorld['scrape']> {
  await eventually(async () => valueOf(await w.scrape(), 's2s_gateway_requests_in_flight') === 0)
  return w.scrape()
}

describe('metric labels carry what the gateway verified', () => {
  it('counts a verified user token refused by the trust policy (403) as auth_type="user"', async () => {
    expect((await w.call(w.hr.userToken({ upn: 'bob@contoso.com' }))).status).toBe(403) // hr-addin: application trust
    const samples = await settled()
    expect(valueOf(samples, 's2s_gateway_requests_total', { listener: 'inbound', partner: 'hr-addin', auth_type: 'user', outcome: 'forbidden' })).toBe(1)
    expect(valueOf(samples, 's2s_gateway_requests_total', { listener: 'inbound', partner: 'hr-addin', auth_type: 'none', outcome: 'forbidden' })).toBeUndefined()
    expect(w.gw.logs().filter((l) => l['msg'] === 'request').at(-1)).toMatchObject({ partner: 'hr-addin', authType: 'user', outcome: 'forbidden' })
  })

  it('counts a refused upgrade (h2c) with a valid token under its partner and auth type', async () => {
    const host = new URL(w.gw.url).host
    const upgrade = ['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQAAP__']
    const res = await rawHttp(w.gw.url, ['GET /ws HTTP/1.1', `Host: ${host}`, ...upgrade, `Authorization: Bearer ${w.exchange.actorToken()}`, '', ''].join('\r\n'))
    expect(res.status).toBe(501)
    const samples = await settled()
    expect(valueOf(samples, 's2s_gateway_requests_total', { listener: 'inbound', partner: 'exchange', auth_type: 'app', outcome: 'bad_request' })).toBe(1)
    expect(valueOf(samples, 's2s_gateway_requests_total', { listener: 'inbound', partner: 'unknown', auth_type: 'none', outcome: 'bad_request' })).toBeUndefined()
  })

  it("counts an authorization server's metadata fetches under its name", async () => {
    expect(acs.metadataFetches).toBeGreaterThanOrEqual(1)
    const samples = await w.scrape()
    expect(valueOf(samples, 's2s_gateway_metadata_fetches_total', { partner: 'acs', result: 'ok' })).toBe(acs.metadataFetches)
  })

  it("labels a server token refused by a key-free check with the partner it names, else with the server's name", async () => {
    expect((await w.call(acs.appToken(SPO_ID, { nbf: nowSec() - 7200, exp: nowSec() - 3600 }))).status).toBe(401) // expired
    expect((await w.call(acs.appToken(STRANGER_ID))).status).toBe(401) // an application no partner is
    expect((await w.call(acs.appToken(STRANGER_ID, { nbf: nowSec() - 7200, exp: nowSec() - 3600 }))).status).toBe(401)
    const samples = await settled()
    const validations = (partner: string, reason: string): number | undefined =>
      valueOf(samples, 's2s_gateway_token_validations_total', { partner, result: 'rejected', reason })
    expect(validations('spo', 'expired')).toBe(1)
    expect(validations('acs', 'authz_actor')).toBe(1)
    expect(validations('acs', 'expired')).toBe(1)
    expect(samples.filter((s) => s.name === 's2s_gateway_token_validations_total' && s.labels['partner'] === 'unknown')).toEqual([])
    expect(valueOf(samples, 's2s_gateway_requests_total', { listener: 'inbound', partner: 'spo', auth_type: 'none', outcome: 'rejected' })).toBe(1)
  })
})
