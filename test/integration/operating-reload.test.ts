// Integration (issue 4 §3): hot reload through POST /reload on the admin listener, reading the real YAML file.
// A bad file is refused and counted while the old configuration serves; removed partners' cached tokens stop at
// once; 20 reloads under a few hundred concurrent requests fail none of them.
import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { startEchoUpstream } from '../helpers/echo-upstream.js'
import { startTestGateway } from '../helpers/gateway.js'
import { eventually, startWorldForTest as world, valueOf, type OperatingWorld } from './operating-fixture.js'

const RELOAD_TOKEN = 'test-reload-token-0123456789abcdef'
const postReload = (w: OperatingWorld, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${w.gw.adminUrl}/reload`, { method: 'POST', headers })

describe('POST /reload', () => {
  it('swaps in the changed file: a partner added to it is accepted on the next request', async () => {
    const w = await world()
    const [exchange, , hr] = w.partners
    w.writeConfig({ partners: [exchange, hr] })
    expect((await w.call(w.lync.actorToken())).status).toBe(503)
    const res = await postReload(w)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      result: 'success', partners: ['exchange', 'hr-addin'],
      // Issue 10: partners without permissions are unrestricted, and check-config (and a reload) says so.
      warnings: ['exchange', 'hr-addin'].map((name, i) => `partners[${i}]: no permissions: ${name} may call every path with any method (list permissions, or [] for none)`),
    })
    expect((await w.call(w.lync.actorToken())).status).toBe(401) // lync is no longer registered
    expect((await w.call(w.exchange.actorToken())).status).toBe(200)
    const line = w.gw.logs().find((l) => l['msg'] === 'configuration reloaded')
    expect(line).toMatchObject({ trigger: 'http', removed: ['lync'], added: [], changed: [] })
  })

  it('refuses a bad file with every problem, counts it, and keeps the old configuration serving', async () => {
    const w = await world()
    w.writeConfig({ partners: w.partners, listen: { inbound: { host: '127.0.0.1', port: 99_999 } }, tokens: { clockSkewSecs: 1 } })
    const res = await postReload(w)
    expect(res.status).toBe(422)
    const body = (await res.json()) as { result: string; problems: Array<{ path: string; message: string }> }
    expect(body.result).toBe('failure')
    expect(body.problems.map((p) => p.path)).toEqual(['listen.inbound.port', 'tokens.clockSkewSecs'])
    expect((await w.call(w.exchange.actorToken())).status).toBe(200)
    const logged = w.gw.logs().find((l) => l['msg'] === 'configuration reload refused; the previous configuration keeps serving')
    expect(logged?.['problems']).toEqual(body.problems)
    const samples = await w.scrape()
    expect(valueOf(samples, 's2s_gateway_config_reloads_total', { result: 'failure' })).toBe(1)
    expect(valueOf(samples, 's2s_gateway_config_reloads_total', { result: 'success' })).toBeUndefined()
    const status = (await (await fetch(`${w.gw.adminUrl}/status.json`)).json()) as { config: { failures: number; lastReload: { result: string } } }
    expect(status.config).toMatchObject({ failures: 1, lastReload: { result: 'failure' } })
  })

  it("stops a removed partner's cached tokens at once", async () => {
    const w = await world()
    const token = w.exchange.actorToken()
    expect((await w.call(token)).status).toBe(200)
    expect((await w.call(token)).status).toBe(200)
    expect(valueOf(await w.scrape(), 's2s_gateway_token_cache_total', { result: 'hit' })).toBe(1)
    w.writeConfig({ partners: w.partners.slice(1) })
    expect((await postReload(w)).status).toBe(200)
    const res = await w.call(token)
    expect(res.status).toBe(401)
    expect(w.gw.logs().filter((l) => l['msg'] === 'request').at(-1)).toMatchObject({ outcome: 'rejected', reason: 'issuer_unknown' })
  })

  it('keeps the last-known-good keys of an unchanged partner whose metadata host is down, without refetching', async () => {
    const w = await world()
    expect((await w.call(w.exchange.actorToken())).status).toBe(200)
    w.exchangeMeta.down = true
    await w.gw.running.gateway.holder.current.registry.all()[0]?.refreshNow()
    const fetches = w.exchangeMeta.fetches
    w.writeConfig({ partners: w.partners, publicPaths: ['/health'] }) // a change elsewhere
    expect((await postReload(w)).status).toBe(200)
    expect((await w.call(w.exchange.actorToken({ jti: 'after-reload' }))).status).toBe(200)
    expect(w.exchangeMeta.fetches).toBe(fetches)
    const ready = (await (await fetch(`${w.gw.adminUrl}/readyz`)).json()) as { partners: Array<{ name: string; state: string }> }
    expect(ready.partners.find((p) => p.name === 'exchange')?.state).toBe('stale')
  })

  it('answers 501 when the gateway has no configuration file to read', async () => {
    const upstream = await startEchoUpstream()
    const gw = await startTestGateway(upstream.url)
    try {
      expect((await fetch(`${gw.adminUrl}/reload`, { method: 'POST' })).status).toBe(501)
    } finally {
      await gw.close()
      await upstream.close()
    }
  })
})

describe('who may POST /reload', () => {
  it('refuses browsers (an Origin header) even on loopback', async () => {
    const w = await world()
    expect((await postReload(w, { origin: 'https://evil.example' })).status).toBe(403)
  })

  it('with admin.reloadToken set: the right bearer token is accepted, a wrong one refused with 401', async () => {
    const w = await world({ overrides: () => ({ admin: { reloadToken: RELOAD_TOKEN } }) })
    const wrong = await postReload(w, { authorization: 'Bearer not-the-token-at-all' })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="s2s-gateway-admin"')
    expect((await postReload(w, { authorization: `Bearer ${RELOAD_TOKEN}` })).status).toBe(200)
    expect((await postReload(w)).status).toBe(200) // loopback, no header
    expect(w.gw.logText()).not.toContain(RELOAD_TOKEN)
  })
})

/** An address of this machine that is not loopback, so a connection to it comes from a non-loopback peer. */
const EXTERNAL = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address

describe.skipIf(EXTERNAL === undefined)('POST /reload from a non-loopback address (needs a non-loopback IPv4 interface)', () => {
  const onExternal = (extra: Record<string, unknown> = {}) => () => ({
    listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: EXTERNAL, port: 0 } },
    ...extra,
  })

  it('is refused with 403 when no reload token is configured', async () => {
    const w = await world({ overrides: onExternal() })
    expect(new URL(w.gw.adminUrl).hostname).toBe(EXTERNAL)
    const res = await postReload(w, { authorization: `Bearer ${RELOAD_TOKEN}` })
    expect(res.status).toBe(403)
    expect(w.gw.logs().find((l) => l['msg'] === 'POST /reload refused')).toMatchObject({ access: 'forbidden' })
  })

  it('needs the configured token: 401 without it, 200 with it', async () => {
    const w = await world({ overrides: onExternal({ admin: { reloadToken: RELOAD_TOKEN } }) })
    expect((await postReload(w)).status).toBe(401)
    expect((await postReload(w, { authorization: `Bearer ${RELOAD_TOKEN}x` })).status).toBe(401)
    expect((await postReload(w, { authorization: `Bearer ${RELOAD_TOKEN}` })).status).toBe(200)
    // the other admin routes stay open to the pod network (probes, Prometheus)
    expect((await fetch(`${w.gw.adminUrl}/readyz`)).status).toBe(200)
  })
})

describe('reloads under load', () => {
  it('20 reloads while a few hundred requests are in flight fail none of them', async () => {
    const w = await world()
    // Hold each answer briefly, so requests are in flight across the reloads.
    w.upstream.handler = (_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), 15)
    const [exchange, lync, hr] = w.partners
    const tokens = [w.exchange.actorToken(), w.exchange.userToken({ upn: 'alice@contoso.com' }), w.hr.actorToken()]
    const total = 300
    const requests = Array.from({ length: total }, (_, i) => w.call(tokens[i % tokens.length], `/load/${i}`).then((r) => r.status, () => 0))
    const reloads: string[] = []
    for (let i = 0; i < 20; i++) {
      await eventually(() => w.upstream.seen.length >= (i + 1) * 10)
      // alternate between two real changes: lync in or out, a public path in or out
      w.writeConfig(i % 2 === 0 ? { partners: [exchange, hr], publicPaths: ['/open'] } : { partners: [exchange, lync, hr] })
      const res = await postReload(w)
      reloads.push(((await res.json()) as { result: string }).result)
    }
    const statuses = await Promise.all(requests)
    expect(reloads).toEqual(Array.from({ length: 20 }, () => 'success'))
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    expect(w.upstream.seen).toHaveLength(total)
  })

  it('a reload that changes the upstream lets requests in flight to the old one finish', async () => {
    const w = await world()
    const next = await startEchoUpstream()
    try {
      let release: (() => void) | undefined
      w.upstream.handler = (_req, res) => {
        release = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('from the old upstream')
      }
      const slow = w.call(w.exchange.actorToken(), '/slow')
      await eventually(() => release !== undefined)
      w.writeConfig({ partners: w.partners, upstream: { url: next.url, timeoutMs: 5000 } })
      expect((await postReload(w)).status).toBe(200)
      expect((await w.call(w.exchange.actorToken(), '/fast')).status).toBe(200)
      expect(next.seen.map((r) => r.url)).toEqual(['/fast'])
      release?.()
      const res = await slow
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('from the old upstream')
    } finally {
      await next.close()
    }
  })
})
