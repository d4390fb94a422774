// Resource safety (issue 5 §4): 10,000 client aborts mid-request and mid-response leave no sockets behind and the
// heap after a forced GC within a stated tolerance (http-party/node-http-proxy#1559), and floods of distinct bad
// tokens or unknown issuers neither grow memory nor cause more than one metadata fetch per partner per cooldown.
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { runInNewContext } from 'node:vm'
import { setFlagsFromString } from 'node:v8'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { metadataPartner, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { b64u, EXCHANGE_ID, makeTestPartner, REALM, type TestPartner } from '../helpers/tokens.js'
import { securityTally } from './report.js'
import { LYNC_ID } from './world.js'

const MIB = 1_048_576
/** Heap growth allowed after 10,000 aborts, measured after a forced GC: a leak of ~1 KiB per abort would exceed it. */
const ABORT_HEAP_TOLERANCE = 8 * MIB
/** Heap growth allowed after the token and issuer floods (no failed token is ever cached). */
const FLOOD_HEAP_TOLERANCE = 8 * MIB

/** A real GC: --expose-gc when vitest passes it, else the V8 flag set at run time (same collector). */
function exposeGc(): () => void {
  const given = (globalThis as { gc?: () => void }).gc
  if (given !== undefined) return given
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}
const gc = exposeGc()

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((r) => setImmediate(r))
  }
  return process.memoryUsage().heapUsed
}

/** Wait for a condition, polling every 10 ms, failing after `limitMs` (an outcome check, not a timing one). */
async function eventually(check: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A backend that counts arrivals and open sockets; mid-response requests get headers and part of a body, then nothing. */
interface Backend {
  url: string
  arrived: number
  open(): number
  close(): Promise<void>
}
async function startBackend(): Promise<Backend> {
  const sockets = new Set<Socket>()
  const backend: Backend = { url: '', arrived: 0, open: () => sockets.size, close: async () => {} }
  const server = http.createServer((req, res) => {
    backend.arrived++
    req.resume()
    if (req.url?.startsWith('/mid-response')) res.writeHead(200, { 'content-type': 'text/plain' }).write('partial')
    else if (req.url?.startsWith('/ok')) req.on('end', () => res.end('ok'))
    // mid-request: never answers; the client aborts while still sending its body
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  backend.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  backend.close = () => new Promise((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
  return backend
}

const tally = securityTally('resources', import.meta.url)

let backend: Backend
let exchange: TestPartner
let lync: TestPartner
let exMeta: MetadataServer
let lyncMeta: MetadataServer
let gw: TestGateway
beforeAll(async () => {
  backend = await startBackend()
  ;[exchange, lync] = await Promise.all([makeTestPartner(), makeTestPartner({ id: LYNC_ID })])
  ;[exMeta, lyncMeta] = await Promise.all([startMetadataServer(exchange), startMetadataServer(lync)])
  lyncMeta.down = true // an unpinned partner whose identity is never learnt: every unknown issuer might be it
  gw = await startTestGateway(backend.url, {
    upstream: { url: backend.url, timeoutMs: 30_000 },
    metadata: { refetchCooldownSec: 3600, timeoutMs: 2000 },
    partners: [metadataPartner('exchange', exMeta.url, { applicationId: EXCHANGE_ID, realm: REALM }), metadataPartner('lync', lyncMeta.url, { trustLevel: 'application' })],
  }, {}, { captureLogs: false }) // 12,000 captured log lines would be the test's memory, not the gateway's
  await gw.running.gateway.warmUp()
})
afterAll(async () => {
  await gw?.close()
  await Promise.all([exMeta?.close(), lyncMeta?.close(), backend?.close()])
})

const inboundConnections = (): Promise<number> =>
  new Promise((resolve, reject) => gw.running.gateway.inbound.server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
const upstreamActive = (): number => gw.running.gateway.holder.current.forwarder.socketCounts().active

/** One batch of aborts: every client waits until its request reached the backend, then goes away. */
async function abortBatch(size: number, token: string): Promise<void> {
  const target = new URL(gw.url)
  const before = backend.arrived
  const clients = Array.from({ length: size }, (_, i) => {
    const midResponse = i % 2 === 1
    const req = http.request({
      host: target.hostname, port: target.port, agent: false,
      method: midResponse ? 'GET' : 'POST',
      path: midResponse ? `/mid-response/${i}` : `/mid-request/${i}`,
      headers: midResponse ? { authorization: `Bearer ${token}` } : { authorization: `Bearer ${token}`, 'content-length': '100000' },
    })
    req.on('error', () => {})
    req.on('response', (res) => res.on('error', () => {}).resume())
    if (midResponse) req.end()
    else req.write('x'.repeat(1000)) // part of the announced body; the rest never comes
    return req
  })
  await eventually(() => backend.arrived >= before + size, 'every request of the batch reached the backend')
  for (const c of clients) c.destroy()
}

describe('client aborts (http-party/node-http-proxy#1559)', () => {
  tally.attack('resource', '10,000 aborts mid-request and mid-response: sockets back to baseline, heap within tolerance', async () => {
    const token = exchange.actorToken()
    expect((await fetch(`${gw.url}/ok/warm`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    await abortBatch(200, token) // warm every code path once before measuring
    await eventually(async () => backend.open() === 0 && upstreamActive() === 0 && (await inboundConnections()) === 0, 'warm-up sockets closed')
    const socketsBaseline = backend.open() + upstreamActive()
    const heapBefore = await settledHeap()
    const COUNT = 10_000
    for (let done = 0; done < COUNT; done += 250) await abortBatch(250, token)
    await eventually(async () => backend.open() === 0 && upstreamActive() === 0 && (await inboundConnections()) === 0, 'all sockets closed')
    const socketsAfter = backend.open() + upstreamActive()
    const heapAfter = await settledHeap()
    tally.resources['aborts'] = { count: COUNT, socketsBaseline, socketsAfter, heapBeforeBytes: heapBefore, heapAfterBytes: heapAfter, heapToleranceBytes: ABORT_HEAP_TOLERANCE }
    expect(socketsAfter).toBe(socketsBaseline)
    expect(heapAfter - heapBefore, `heap grew from ${(heapBefore / MIB).toFixed(1)} to ${(heapAfter / MIB).toFixed(1)} MiB`).toBeLessThan(ABORT_HEAP_TOLERANCE)
    // and the gateway still serves
    const res = await fetch(`${gw.url}/ok/after`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('ok')
  }, 120_000)
})

describe('floods cannot grow caches or multiply metadata fetches', () => {
  /** Distinct tokens without RSA signing: a valid-looking actor for Exchange with a random 256-byte signature. */
  const forged = (i: number, iss = `${EXCHANGE_ID}@${REALM}`): string => {
    const claims = { ...exchange.actorClaims({ jti: `flood-${i}` }), iss, nameid: iss }
    return `${b64u(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: `unknown-${i}` }))}.${b64u(JSON.stringify(claims))}.${b64u(Buffer.alloc(256, i % 251))}`
  }

  /** Send `count` requests, `concurrency` at a time, returning how often each status came back. */
  async function flood(count: number, concurrency: number, token: (i: number) => string): Promise<Record<number, number>> {
    const statuses: Record<number, number> = {}
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < count) {
        const i = next++
        const res = await fetch(`${gw.url}/ok/flood`, { headers: { authorization: `Bearer ${token(i)}` } })
        await res.arrayBuffer()
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    return statuses
  }

  tally.attack('resource', '10,000 distinct forged tokens and 2,000 unknown issuers: one fetch per partner per cooldown at most, heap within tolerance', async () => {
    const exBefore = exMeta.fetches
    const lyncBefore = lyncMeta.fetches
    await flood(200, 20, (i) => forged(1_000_000 + i)) // warm-up (it may spend Exchange's one on-demand refetch)
    const heapBefore = await settledHeap()
    const bad = await flood(10_000, 50, (i) => forged(i))
    expect(bad).toEqual({ 401: 10_000 })
    // Unknown issuers while an unpinned partner is unidentified: 503 (it might be theirs), never a fetch storm.
    const unknown = await flood(2_000, 50, (i) => forged(i, `${String(i).padStart(8, '0')}-0000-0000-0000-000000000000@${REALM}`))
    expect(unknown).toEqual({ 503: 2_000 })
    const heapAfter = await settledHeap()
    const fetches = { exchange: exMeta.fetches - exBefore, lync: lyncMeta.fetches - lyncBefore }
    tally.resources['flood'] = { badTokens: 10_000, unknownIssuers: 2_000, metadataFetches: Math.max(fetches.exchange, fetches.lync), heapBeforeBytes: heapBefore, heapAfterBytes: heapAfter }
    expect(fetches.exchange).toBeLessThanOrEqual(1)
    expect(fetches.lync).toBeLessThanOrEqual(1)
    expect(heapAfter - heapBefore, `heap grew from ${(heapBefore / MIB).toFixed(1)} to ${(heapAfter / MIB).toFixed(1)} MiB`).toBeLessThan(FLOOD_HEAP_TOLERANCE)
    expect((await fetch(`${gw.url}/ok/after`, { headers: { authorization: `Bearer ${exchange.actorToken()}` } })).status).toBe(200)
  }, 120_000)

  tally.attack('resource', '3,000 distinct valid tokens: the verified-token cache keeps at most tokens.cacheMaxEntries, oldest out first', async () => {
    const small = await startTestGateway(backend.url, {
      upstream: { url: backend.url, timeoutMs: 30_000 },
      tokens: { cacheMaxEntries: 500 },
      metadata: { timeoutMs: 10_000 }, // the keys must load even on a busy machine: this test is about the cache
      partners: [metadataPartner('exchange', exMeta.url, { applicationId: EXCHANGE_ID, realm: REALM })],
    }, {}, { captureLogs: false })
    try {
      await small.running.gateway.warmUp()
      expect(small.running.gateway.holder.current.registry.all()[0]?.state()).toBe('ok')
      const counter = async (result: 'hit' | 'miss'): Promise<number> => {
        const text = await (await fetch(`${small.adminUrl}/metrics`)).text()
        const line = text.split('\n').find((l) => l.startsWith(`s2s_gateway_token_cache_total{result="${result}"}`))
        return Number(line?.split(' ')[1] ?? 0)
      }
      const tokens = Array.from({ length: 3_000 }, (_, i) => exchange.actorToken({ jti: `valid-${i}` }))
      let next = 0
      await Promise.all(Array.from({ length: 20 }, async () => {
        while (next < tokens.length) {
          const res = await fetch(`${small.url}/ok/cache`, { headers: { authorization: `Bearer ${tokens[next++]}` } })
          expect(res.status, await res.clone().text()).toBe(200)
          await res.arrayBuffer()
        }
      }))
      const [hits, misses] = [await counter('hit'), await counter('miss')]
      expect(misses).toBe(3_000)
      // The newest token is still cached; the oldest was evicted long ago and is verified again in full.
      expect((await fetch(`${small.url}/ok/newest`, { headers: { authorization: `Bearer ${tokens[2_999]}` } })).status).toBe(200)
      expect(await counter('hit')).toBe(hits + 1)
      expect((await fetch(`${small.url}/ok/oldest`, { headers: { authorization: `Bearer ${tokens[0]}` } })).status).toBe(200)
      expect(await counter('miss')).toBe(misses + 1)
    } finally {
      await small.close()
    }
  }, 120_000)
})
