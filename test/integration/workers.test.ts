// Integration (issue 12): `workers: N` as an operator runs it: the real CLI, a primary and its workers on
// 127.0.0.1. Authentication on every worker, metadata fetched once per gateway (also through a rotation while
// 4 workers serve), reload under load answered after every worker switched, metrics aggregated, a dead worker
// replaced, SIGTERM draining every worker.
import { availableParallelism } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { authServerEntry, startAuthServer } from '../helpers/auth-server.js'
import { startPartnerStub } from '../helpers/partner-stub.js'
import { call, listenWithOutbound, outboundPartner } from './outbound-call.js'
import { REALM } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'
import { SPO_ID, valueOf } from './operating-fixture.js'
import { callMany, request, startClusterWorld, type ClusterWorld } from './workers-fixture.js'

const worlds: ClusterWorld[] = []
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close()
})
const start = async (workers: number | 'auto', extra = {}): Promise<ClusterWorld> => {
  const w = await startClusterWorld(workers, extra)
  worlds.push(w)
  return w
}

/** Enough connections that node:cluster's round robin hands requests to every worker. */
async function untilEveryWorkerAnswered(w: ClusterWorld, workers: number, since = 0): Promise<void> {
  const status = 200
  await until(async () => {
    expect(new Set(await callMany(w, 8))).toEqual(new Set([status]))
    return w.workersAnswering(status, since).size === workers
  }, `all ${workers} workers to answer ${status}`, 20_000, 0)
}

describe('workers: 2', () => {
  it('authenticates on both workers, with the metadata fetched once for the gateway', async () => {
    const w = await start(2)
    await untilEveryWorkerAnswered(w, 2)
    expect(w.meta.fetches).toBe(1)
    expect(await w.call('/api/items', w.exchange.actorToken({ aud: 'someone-else/gw@contoso.com' }))).toBe(401)
    // The primary serves the admin listener only; the workers the inbound one.
    const primaryLine = w.logs().find((l) => l['msg'] === 's2s-gateway listening')
    expect(primaryLine?.['worker']).toBeUndefined()
    expect(new Set(w.logs().filter((l) => l['msg'] === 'worker listening').map((l) => l['worker']))).toEqual(new Set([1, 2]))
  })

  it("an authorization server's metadata is fetched once too; its tokens pass on both workers", async () => {
    const acs = await startAuthServer()
    try {
      const w = await start(2, {
        authorizationServers: [authServerEntry('acs', acs)],
        partners: [{ name: 'spo', applicationId: SPO_ID, realm: REALM, authorizationServer: 'acs', trustLevel: 'full' }],
      })
      await until(async () => {
        expect(new Set(await callMany(w, 8, 4, undefined, acs.appToken(SPO_ID)))).toEqual(new Set([200]))
        return w.workersAnswering(200).size === 2
      }, "both workers to accept the server's tokens", 20_000, 0)
      expect(acs.metadataFetches).toBe(1)
      expect(valueOf(await w.scrape(), 's2s_gateway_partner_state', { partner: 'acs', state: 'ok' })).toBe(1)
    } finally {
      for (const w of worlds.splice(0)) await w.close()
      await acs.close()
    }
  })

  it('serves the outbound listener on every worker; each worker mints at most one token per partner and audience', async () => {
    const sharepoint = await startPartnerStub()
    try {
      const w = await start(2, { listen: listenWithOutbound(), partners: [outboundPartner('sharepoint', sharepoint.metadataUrl, sharepoint.url)] })
      sharepoint.gatewayMetadataUrl = `${w.inboundUrl}/metadata/json/1`
      const outboundUrl = w.outboundUrl ?? ''
      const statuses: number[] = []
      for (let i = 0; i < 16; i++) statuses.push((await call(outboundUrl, '/sharepoint/_api/web')).status)
      expect(statuses.every((s) => s === 200)).toBe(true)
      expect(sharepoint.accepted).toHaveLength(16)
      const servedBy = new Set(w.logs().filter((l) => l['msg'] === 'outbound call').map((l) => l['worker']))
      expect(servedBy).toEqual(new Set([1, 2]))
      // Issued tokens are cached per worker: one per worker that served a call, never one per call.
      const issued = valueOf(await w.scrape(), 's2s_gateway_tokens_issued_total', { partner: 'sharepoint', auth_type: 'app' }) ?? 0
      expect(issued).toBeGreaterThanOrEqual(1)
      expect(issued).toBeLessThanOrEqual(2)
    } finally {
      for (const w of worlds.splice(0)) await w.close()
      await sharepoint.close()
    }
  })

  it('aggregates /metrics: per-request series summed, gateway-wide gauges once; /status.json and /readyz from the primary', async () => {
    const w = await start(2)
    await untilEveryWorkerAnswered(w, 2)
    type Report = { gateway: { ready: boolean }; traffic: { requests: number }; partners: Array<{ name: string; traffic: { requests: number } }> }
    const report = async (): Promise<Report> => (await (await fetch(`${w.adminUrl}/status.json`)).json()) as Report
    const statusBefore = await report()
    const before = await w.scrape()
    const counted = valueOf(before, 's2s_gateway_requests_total', { listener: 'inbound', partner: 'exchange', auth_type: 'app', outcome: 'ok' }) ?? 0
    const statuses = await callMany(w, 20)
    expect(statuses.every((s) => s === 200)).toBe(true)
    const after = await w.scrape()
    // Counters: the sum over the workers, under the names and labels of one process.
    expect(valueOf(after, 's2s_gateway_requests_total', { listener: 'inbound', partner: 'exchange', auth_type: 'app', outcome: 'ok' })).toBe(counted + 20)
    expect(valueOf(after, 's2s_gateway_request_duration_seconds_count', { listener: 'inbound', outcome: 'ok' })).toBe(counted + 20)
    // Gauges that describe the gateway: once, not summed over the 2 workers.
    expect(valueOf(after, 's2s_gateway_partner_state', { partner: 'exchange', state: 'ok' })).toBe(1)
    expect(valueOf(after, 's2s_gateway_partner_keys', { partner: 'exchange' })).toBe(1)
    expect(valueOf(after, 's2s_gateway_config_last_reload_successful')).toBe(1)
    expect(after.filter((s) => s.name === 's2s_gateway_build_info').map((s) => s.value)).toEqual([1])
    expect(valueOf(after, 's2s_gateway_metadata_fetches_total', { partner: 'exchange', result: 'ok' })).toBe(1)
    expect(valueOf(after, 's2s_gateway_worker_restarts_total')).toBe(0)
    const ready = await fetch(`${w.adminUrl}/readyz`)
    expect(ready.status).toBe(200)
    // The status page counts the traffic of every worker.
    const status = await report()
    expect(status.gateway.ready).toBe(true)
    expect(status.traffic.requests - statusBefore.traffic.requests).toBe(20)
    const exchange = (r: Report): number => r.partners.find((p) => p.name === 'exchange')?.traffic.requests ?? -1
    expect(exchange(status) - exchange(statusBefore)).toBe(20)
    expect(await (await fetch(`${w.adminUrl}/status`)).text()).toContain('exchange')
  })

  it('POST /reload answers after every worker switched, while requests keep flowing', async () => {
    const w = await start(2)
    await untilEveryWorkerAnswered(w, 2)
    expect(await w.call('/open', null)).toBe(401)
    let load = true
    const during: number[] = []
    const traffic = (async () => {
      while (load) during.push(...(await callMany(w, 4)))
    })()
    w.writeConfig({ publicPaths: ['/open'] })
    const reload = await fetch(`${w.adminUrl}/reload`, { method: 'POST' })
    expect(reload.status).toBe(200)
    // Every worker serves the new configuration the moment /reload has answered.
    const open = await callMany(w, 16, 4, '/open', null)
    load = false
    await traffic
    expect(open.every((s) => s === 200)).toBe(true)
    expect(during.length).toBeGreaterThan(0)
    expect(during.every((s) => s === 200)).toBe(true)
    expect(valueOf(await w.scrape(), 's2s_gateway_config_reloads_total', { result: 'success' })).toBe(1)
    // A refused file changes no worker.
    w.writeConfig({ publicPaths: 'not a list' })
    expect((await fetch(`${w.adminUrl}/reload`, { method: 'POST' })).status).toBe(422)
    expect((await callMany(w, 8, 4, '/open', null)).every((s) => s === 200)).toBe(true)
  })

  it('SIGHUP to the primary reloads every worker; a worker sent SIGHUP itself ignores it', async () => {
    const w = await start(2)
    await untilEveryWorkerAnswered(w, 2)
    const worker = w.logs().find((l) => l['msg'] === 'worker serving' && l['worker'] === 2)
    process.kill(Number(worker?.['pid']), 'SIGHUP')
    w.writeConfig({ publicPaths: ['/open'] })
    w.child.kill('SIGHUP')
    const reloaded = (): unknown[] => w.logs().filter((l) => l['msg'] === 'configuration reloaded' && typeof l['worker'] === 'number').map((l) => l['worker'])
    await until(() => reloaded().length === 2, 'both workers to switch', 10_000, 20)
    expect(new Set(reloaded())).toEqual(new Set([1, 2]))
    expect((await callMany(w, 8, 4, '/open', null)).every((s) => s === 200)).toBe(true)
    expect(valueOf(await w.scrape(), 's2s_gateway_worker_restarts_total')).toBe(0)
  })

  it('replaces a worker that dies, counts and logs it; requests on the other worker are unaffected', async () => {
    const w = await start(2)
    await untilEveryWorkerAnswered(w, 2)
    const line = w.logs().find((l) => l['msg'] === 'worker serving' && l['worker'] === 1)
    process.kill(Number(line?.['pid']), 'SIGKILL')
    await until(() => w.logs().some((l) => l['msg'] === 'worker died; replacing it'), 'the primary to notice', 10_000, 20)
    expect((await callMany(w, 8)).every((s) => s === 200)).toBe(true)
    await until(async () => (await fetch(`${w.adminUrl}/readyz`)).status === 200, 'the replacement to serve', 20_000, 50)
    expect(valueOf(await w.scrape(), 's2s_gateway_worker_restarts_total')).toBe(1)
    await untilEveryWorkerAnswered(w, 3) // workers 1 (before it died), 2 and its replacement 3
    expect(w.meta.fetches).toBe(1)
  })

  it('SIGTERM drains every worker: a request in flight (shown on /status.json) completes, then the primary exits 0', async () => {
    const w = await start(2, { limits: { maxConcurrent: 100 } })
    await untilEveryWorkerAnswered(w, 2)
    let release: () => void = () => undefined
    w.upstream.handler = (_req, res) => {
      release = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('late')
    }
    const inFlight = request(`${w.inboundUrl}/api/slow`, w.exchange.actorToken())
    await until(() => w.upstream.seen.some((r) => r.url === '/api/slow'), 'the request to reach the backend', 10_000, 10)
    const report = (await (await fetch(`${w.adminUrl}/status.json`)).json()) as { partners: Array<{ name: string; inFlight: number }> }
    expect(report.partners.find((p) => p.name === 'exchange')?.inFlight).toBe(1)
    w.child.kill('SIGTERM')
    await until(() => w.logs().filter((l) => l['msg'] === 'worker draining in-flight requests before exit').length === 2, 'both workers to drain', 10_000, 10)
    release()
    expect(await inFlight).toBe(200)
    expect(await w.exited).toBe(0)
  })
})

describe('workers: auto', () => {
  it('forks one worker per core (os.availableParallelism()), each serving', async () => {
    const cores = availableParallelism()
    const w = await start('auto')
    await untilEveryWorkerAnswered(w, cores)
    expect(w.logs().filter((l) => l['msg'] === 'worker listening')).toHaveLength(cores)
    expect(w.logs().find((l) => l['msg'] === 'starting workers')?.['workers']).toBe(cores)
    expect(w.meta.fetches).toBe(1)
  })
})

describe('workers: 4', () => {
  it('a partner rotating its key: one metadata fetch for the gateway, no failed request', async () => {
    const w = await start(4)
    await untilEveryWorkerAnswered(w, 4)
    expect(w.meta.fetches).toBe(1)
    await w.exchange.rotate()
    const since = w.logs().length
    const statuses = await callMany(w, 32, 8)
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    // Every worker has verified the new key (untilEveryWorkerAnswered fails on any other status than 200).
    await untilEveryWorkerAnswered(w, 4, since)
    expect(w.meta.fetches).toBe(2)
  })
})
