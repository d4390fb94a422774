// Integration (issue 15): the outbound limits are configuration (section `outbound`), not constants. A
// non-default socket cap holds the connections to a partner at that number; a non-default replay cap decides
// which request bodies are retried after realm discovery.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/schema/schema.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { loadConfigObject } from '../../src/config/index.js'
import { baseConfig, startTestGateway } from '../helpers/gateway.js'
import { startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { call, listenWithOutbound, outboundPartner } from './outbound-call.js'
import { eventually } from './operating-fixture.js'

let upstream: EchoUpstream
let sharepoint: PartnerStub

beforeAll(async () => {
  upstream = await startEchoUpstream()
  sharepoint = await startPartnerStub()
})
afterAll(async () => {
  await Promise.all([sharepoint?.close(), upstream?.close()])
})

describe('outbound.maxSocketsPerPartner', () => {
  it('opens at most that many connections to a partner; further calls wait for a free one', async () => {
    // A partner that holds every answer until released, and counts connections.
    let connections = 0
    const held: http.ServerResponse[] = []
    let release = false
    const partner = http.createServer((_req, res) => (release ? res.end('ok') : held.push(res)))
    partner.on('connection', () => (connections += 1))
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve))
    const g = await startTestGateway(upstream.url, {
      listen: listenWithOutbound(),
      outbound: { maxSocketsPerPartner: 2 },
      partners: [outboundPartner('held', sharepoint.metadataUrl, `http://127.0.0.1:${(partner.address() as AddressInfo).port}`)],
    })
    try {
      expect(DEFAULTS.outbound.maxSocketsPerPartner).toBeGreaterThan(5)
      const calls = Array.from({ length: 5 }, (_, i) => call(g.running.outboundUrl ?? '', `/held/x${i}`))
      const agent = g.running.gateway.holder.current.outbound.partner('held')?.agent
      const queued = (): number => Object.values(agent?.requests ?? {}).reduce((n, list) => n + (list?.length ?? 0), 0)
      // Two calls reach the partner, three wait in the gateway: with the default cap all five would be sent.
      await eventually(() => held.length === 2 && queued() === 3)
      expect(connections).toBe(2)
      release = true
      for (const res of held.splice(0)) res.end('ok')
      expect((await Promise.all(calls)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
      expect(connections).toBe(2) // the waiting calls reused the two connections
    } finally {
      await g.close()
      partner.closeAllConnections()
      partner.close()
    }
  })
})

describe('outbound.replayMaxBytes', () => {
  /** A partner expecting another realm than its metadata names: the first attempt gets 401, then a retry. */
  async function discoveryWorld(replayMaxBytes: number) {
    const stub = await startPartnerStub({ realm: 'fabrikam.com', metadataRealm: 'fabrikam-old.com' })
    const g = await startTestGateway(upstream.url, {
      listen: listenWithOutbound(),
      outbound: { replayMaxBytes },
      partners: [outboundPartner('sp', stub.metadataUrl, stub.url)],
    })
    stub.gatewayMetadataUrl = `${g.url}/metadata/json/1`
    return { stub, g, close: async () => { await g.close(); await stub.close() } }
  }

  it('retries a body above the default cap when the configured cap is larger', async () => {
    const body = Buffer.alloc(DEFAULTS.outbound.replayMaxBytes + 16 * 1024, 'x')
    const w = await discoveryWorld(256 * 1024)
    try {
      const res = await call(w.g.running.outboundUrl ?? '', '/sp/upload', { method: 'PUT', body })
      expect(res.status).toBe(200)
      expect(w.stub.rejections).toEqual(['audience'])
      expect(w.stub.accepted[0]?.body.length).toBe(body.length)
    } finally {
      await w.close()
    }
  })

  it('does not retry a body below the default cap when the configured cap is smaller', async () => {
    const w = await discoveryWorld(1024)
    try {
      const res = await call(w.g.running.outboundUrl ?? '', '/sp/upload', { method: 'PUT', body: Buffer.alloc(4 * 1024, 'y') })
      expect(res.status).toBe(401)
      expect(w.stub.rejections).toEqual(['audience'])
      expect(w.stub.accepted).toEqual([])
    } finally {
      await w.close()
    }
  })
})

describe('the limits are bounded', () => {
  it.each([
    ['maxSocketsPerPartner', 0],
    ['maxSocketsPerPartner', 5_000],
    ['replayMaxBytes', 9_000_000],
    ['tokenCacheMaxEntries', 0],
    ['probeReuseMs', 10],
  ])('refuses outbound.%s: %d', (key, value) => {
    const raw = baseConfig('/nonexistent', upstream.url, { outbound: { [key]: value } })
    expect(() => loadConfigObject(raw, { baseDir: '/nonexistent', env: {} })).toThrow(new RegExp(`outbound\\.${key}: must be between`))
  })
})
