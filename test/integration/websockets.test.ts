// Integration: WebSockets through the gateway (issue 14 §3), against a real WebSocket echo backend (the `ws`
// package) on 127.0.0.1. A valid token is upgraded and echoed with identity headers set exactly as for HTTP;
// spoofed identity headers never reach the backend; a bad token gets 401 and no upgrade; websockets: false is
// 501; limits hold a slot per open connection; expiry, idle time, a reload removing the partner and the drain
// each close an open connection. What a reload does to open channels: websockets-reload.test.ts.
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { metadataPartner } from '../helpers/gateway.js'
import { nowSec } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'
import { bearer, closed, connect, echo, runCleanups, within, world } from './websockets-fixture.js'

afterEach(runCleanups)

describe('WebSockets through the gateway', () => {
  it('a valid token is upgraded and echoed; the backend gets identity headers and never the spoofed ones', async () => {
    const w = await world()
    const opened = await connect(w.gw, { ...bearer(w.exchange.actorToken()), 'x-s2s-partner': 'evil', 'X-S2S-User-Upn': 'ceo@contoso.com' })
    expect(opened.status).toBe(101)
    expect(await echo(opened.ws, 'hello')).toBe('hello')
    const seen = w.backend.upgrades[0]
    expect(seen?.['x-s2s-partner']).toBe('exchange')
    expect(seen?.['x-s2s-auth-type']).toBe('app')
    expect(seen?.['x-s2s-user-upn']).toBeUndefined()
    expect(seen?.authorization).toBeUndefined()
    expect(seen?.upgrade).toBe('websocket')
    opened.ws.close()
    await until(() => w.gw.logs().some((l) => l['msg'] === 'request' && l['status'] === 101), 'the access line')
    expect(w.gw.logs().find((l) => l['msg'] === 'request' && l['status'] === 101)).toMatchObject({ partner: 'exchange', outcome: 'ok', upstreamStatus: 101 })
    const metrics = await (await fetch(`${w.gw.adminUrl}/metrics`)).text()
    expect(metrics).toMatch(/s2s_gateway_requests_total\{listener="inbound",partner="exchange",auth_type="app",outcome="ok"\} 1\n/)
  })

  it('a bad token gets 401 with the challenge and no upgrade', async () => {
    const w = await world()
    const refused = await connect(w.gw, bearer(`${w.exchange.actorToken()}x`))
    expect(refused.status).toBe(401)
    expect(JSON.parse(refused.body ?? '')).toEqual({ error: 'invalid_token', message: 'token rejected' })
    expect(refused.headers?.['www-authenticate']).toMatch(/^Bearer /)
    await within('the gateway to close the socket', refused.socketClosed ?? Promise.reject(new Error('no socket')))
    const missing = await connect(w.gw, {})
    expect(missing.status).toBe(401)
    expect(w.backend.upgrades).toEqual([])
  })

  it('upstream.websockets: false answers 501 after authentication', async () => {
    const w = await world({ upstream: { websockets: false } })
    expect((await connect(w.gw, bearer(w.exchange.actorToken()))).status).toBe(501)
    expect((await connect(w.gw, {})).status).toBe(401)
    expect(w.backend.upgrades).toEqual([])
  })

  it('an open WebSocket holds a concurrency slot until it closes', async () => {
    const w = await world({ partner: { limits: { maxConcurrent: 1 } } })
    const first = await connect(w.gw, bearer(w.exchange.actorToken()))
    expect(first.status).toBe(101)
    const second = await connect(w.gw, bearer(w.exchange.actorToken()))
    expect(second.status).toBe(429)
    first.ws.close()
    await closed(first.ws)
    await until(async () => (await connect(w.gw, bearer(w.exchange.actorToken()))).status === 101, 'the slot to free')
  })
})

describe('WebSockets and the access rules (issue 10)', () => {
  const notify = { name: 'notify', paths: ['/api/notifications'], right: 'write' }
  const readAll = { name: 'read-all', paths: ['/api/**'], right: 'read' }

  it('an upgrade needs a write permission; the backend learns which one; a reload removing it closes the channel', async () => {
    const w = await world({ partner: { permissions: [readAll] } })
    const token = w.exchange.actorToken()
    expect((await connect(w.gw, bearer(token))).status).toBe(403)
    w.gw.reload({ partners: [metadataPartner('exchange', w.meta.url, { permissions: [notify, readAll] })] })
    const opened = await connect(w.gw, bearer(token))
    expect(opened.status).toBe(101)
    expect(w.backend.upgrades.map((h) => h['x-s2s-permission'])).toEqual(['notify'])
    // an unrelated change keeps it open; removing the permission that admitted it closes it
    w.gw.reload({ partners: [metadataPartner('exchange', w.meta.url, { permissions: [notify, readAll], trustLevel: 'application' })] })
    expect(await echo(opened.ws, 'still here')).toBe('still here')
    w.gw.reload({ partners: [metadataPartner('exchange', w.meta.url, { permissions: [readAll] })] })
    await within('the close after the permission was removed', closed(opened.ws))
  })
})

describe('connection time bounds (issue 17) and upgraded connections', () => {
  it('an upgraded connection is not cut by the header or first-byte bounds of HTTP connections', async () => {
    const w = await world({ config: { connections: { firstByteTimeoutMs: 300, headersTimeoutMs: 300 } } })
    const opened = await connect(w.gw, bearer(w.exchange.actorToken()))
    expect(opened.status).toBe(101)
    // several times the HTTP bounds, with traffic: still the same open channel
    for (let i = 0; i < 8; i++) {
      expect(await echo(opened.ws, `ping ${i}`)).toBe(`ping ${i}`)
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    expect(opened.ws.readyState).toBe(WebSocket.OPEN)
  })
})

describe('closing upgraded connections', () => {
  it('when the token expires', async () => {
    const w = await world()
    const token = w.exchange.actorToken({ nbf: nowSec() - 60, exp: nowSec() + 2 })
    const opened = await connect(w.gw, bearer(token))
    expect(opened.status).toBe(101)
    await within('the close at token expiry', closed(opened.ws))
  })

  it('after websocketIdleSec without traffic', async () => {
    const w = await world({ upstream: { websocketIdleSec: 1 } })
    const opened = await connect(w.gw, bearer(w.exchange.actorToken()))
    expect(opened.status).toBe(101)
    await within('the idle close', closed(opened.ws))
  })

  it("on both sides: the backend's connection closes with the client's", async () => {
    const w = await world()
    const opened = await connect(w.gw, bearer(w.exchange.actorToken()))
    expect(opened.status).toBe(101)
    expect(w.backend.open()).toBe(1)
    w.gw.reload({ partners: [] })
    await within('the close after the reload', closed(opened.ws))
    await until(() => w.backend.open() === 0, "the backend's side of the channel to close")
  })

  it('when a reload removes its partner, and on shutdown', async () => {
    const w = await world()
    const a = await connect(w.gw, bearer(w.exchange.actorToken()))
    expect(a.status).toBe(101)
    w.gw.reload({ partners: [] })
    await within('the close after the reload', closed(a.ws))

    w.gw.reload({ partners: [metadataPartner('exchange', w.meta.url)] })
    const b = await connect(w.gw, bearer(w.exchange.actorToken()))
    expect(b.status).toBe(101)
    await within('the drain', Promise.all([closed(b.ws), w.gw.close()]))
  })
})
