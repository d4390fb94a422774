// Integration: a backend that goes away while the partner has not answered yet stops the call. Before, the
// partner request ran on until the partner answered or outbound.timeoutMs (30 s) passed, holding one of the
// partner's connections: a backend that gives up and retries could fill outbound.maxSocketsPerPartner with calls
// nobody waited for, and every further call waited in the queue.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { until } from '../helpers/until.js'
import { call, listenWithOutbound, outboundPartner } from './outbound-call.js'

let upstream: EchoUpstream
let stub: PartnerStub
let partner: http.Server
let gw: TestGateway
/** Requests the partner got (a probe as `probe`), and whether each one's connection closed. */
const seen: { url: string; closed: boolean }[] = []
/** Probes held until the test answers them. */
const probes: http.ServerResponse[] = []

beforeAll(async () => {
  upstream = await startEchoUpstream()
  stub = await startPartnerStub()
  // Holds every request under /held (never answers it) and every realm-discovery probe (until the test answers
  // it), answers 401 under /denied (so the gateway probes, then retries), 200 to the rest at once.
  partner = http.createServer((req, res) => {
    const probe = /^Bearer\s*$/.test(req.headers.authorization ?? '')
    const entry = { url: probe ? 'probe' : req.url ?? '', closed: false }
    seen.push(entry)
    res.on('close', () => (entry.closed = true))
    if (probe) probes.push(res)
    else if (entry.url.startsWith('/denied')) res.writeHead(401, { 'www-authenticate': `Bearer realm="${stub.realm}",client_id="${stub.identity.id}"` }).end()
    else if (!entry.url.startsWith('/held')) res.end('ok')
  })
  await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve))
  gw = await startTestGateway(upstream.url, {
    listen: listenWithOutbound(),
    // One connection: a call left running would keep the next one waiting for the whole timeout.
    outbound: { maxSocketsPerPartner: 1, maxIdleSocketsPerPartner: 1 },
    partners: [outboundPartner('slow', stub.metadataUrl, `http://127.0.0.1:${(partner.address() as AddressInfo).port}`, { timeoutMs: 30_000 })],
  })
})

afterAll(async () => {
  partner?.closeAllConnections()
  await new Promise((resolve) => partner?.close(resolve))
  await Promise.all([gw?.close(), stub?.close(), upstream?.close()])
})

/** A backend's call through the outbound listener, its answer never read; the function returned makes it go away. */
function startCall(path: string): () => void {
  const out = new URL(gw.running.outboundUrl ?? '')
  const request = http.request({ host: out.hostname, port: out.port, path, agent: false })
  request.on('error', () => {})
  request.end()
  return () => request.destroy()
}

describe('a backend that goes away before the partner answers', () => {
  it("stops the partner's request, frees the connection for the next call and logs the call as aborted", async () => {
    const leave = startCall('/slow/held/report')
    await until(() => seen.length === 1, 'the call reaching the partner')
    leave()
    await until(() => seen[0]?.closed === true, "the partner's request closed", 5_000)
    // The one connection is free again: the next call is answered at once, not after the first one's 30 s.
    expect((await call(gw.running.outboundUrl ?? '', '/slow/next')).status).toBe(200)
    expect(gw.logs().filter((l) => l['path'] === '/slow/held/report')).toEqual([expect.objectContaining({ msg: 'outbound call', outcome: 'aborted', partner: 'slow' })])
    // No "partner unreachable" (or any error) line: the failure was ours to cause, not the partner's.
    expect(gw.logs().filter((l) => l['code'] !== undefined)).toEqual([])
  })

  it('sends nothing more once it has gone: a 401 is followed by its probe, not by the retry', async () => {
    seen.length = 0
    const leave = startCall('/slow/denied')
    await until(() => probes.length === 1, 'the probe after the 401')
    leave()
    await until(() => gw.logs().some((l) => l['path'] === '/slow/denied' && l['outcome'] === 'aborted'), 'the aborted call\'s line')
    probes[0]?.writeHead(401, { 'www-authenticate': `Bearer realm="${stub.realm}",client_id="${stub.identity.id}"` }).end()
    await until(() => gw.logs().some((l) => l['msg'] === 'partner challenge probed'), 'the probe answered')
    // The agent queues in order on its one connection: a retry sent after the probe would come before this call.
    expect((await call(gw.running.outboundUrl ?? '', '/slow/next')).status).toBe(200)
    expect(seen.map((r) => r.url)).toEqual(['/denied', 'probe', '/next'])
  })
})
