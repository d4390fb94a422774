// Bench: what each of the gateway's own per-request steps costs in-process (issue 11), on the objects a real
// request builds: one app-only token (a verified-token cache hit), wrk's header block, the access record, the
// access line through the process logger (into a sink that keeps nothing: the write to a file is node core's work),
// and the metrics and status counters. Whole-process CPU per request on a loaded shared machine moves by far more
// than these; these figures do not. Run after `npm run bench` (or `tsc -p bench/tsconfig.json --noCheck`):
//   node bench/.build/bench/hot-path-items.js
import { mkdtempSync, rmSync } from 'node:fs'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createActivity } from '../src/admin/activity.js'
import { createGatewayMetrics } from '../src/admin/metrics.js'
import { createRequestObserver } from '../src/admin/request-observer.js'
import { loadConfigFile } from '../src/config/index.js'
import { createLogger, logFlatLine, silentLogger } from '../src/log/index.js'
import { accessRecordOf } from '../src/inbound/access-log.js'
import { authenticateCall } from '../src/inbound/authenticate.js'
import { applyPermissionHeader, authorizeRequest } from '../src/inbound/authorize.js'
import { assertMediaType, assertPlainContentLength } from '../src/net/http-guards.js'
import { InboundCall, requestIdOf } from '../src/inbound/inbound-call.js'
import { assertUnambiguousTarget } from '../src/inbound/path-guard.js'
import { scanRequestHead } from '../src/inbound/request-head.js'
import { prepareUpstreamHeaders } from '../src/inbound/upstream-headers.js'
import { createRuntime } from '../src/lifecycle/runtime.js'
import { createFixtures, writeGatewayConfig } from './fixtures.js'
import { median } from './report.js'
import { actorToken } from './tokens.js'

const dir = mkdtempSync(join(tmpdir(), 's2s-items-'))
const fixtures = await createFixtures(dir)
const file = writeGatewayConfig(fixtures, join(dir, 'gateway.yaml'), { upstreamUrl: 'http://127.0.0.1:9', ports: { inbound: 0, admin: 0 }, partners: [fixtures.partner] })
const config = loadConfigFile(file).config
const runtime = createRuntime(config, { log: silentLogger })
await runtime.registry.loadAll()
const token = actorToken(fixtures.partner)
const rawHeaders = ['Host', '127.0.0.1:8443', 'Authorization', `Bearer ${token}`]
const metrics = createGatewayMetrics({ runtime: () => runtime, now: Date.now, inboundTls: () => undefined })
const observer = createRequestObserver(metrics, createActivity())
// A destination that keeps nothing, called like the gateway's line batcher (a string per line, no stream machinery).
const sink = { write: (_line: string): boolean => true }
const logger = createLogger('info', sink)

/** A request as Node hands it over (headers built from rawHeaders, as Node's lazy getter does), and its response. */
function request(): InboundCall {
  const req = new IncomingMessage(new Socket())
  req.method = 'GET'
  req.url = '/api/items'
  req.httpVersion = '1.1'
  req.rawHeaders = rawHeaders
  req.headers = { host: '127.0.0.1:8443', authorization: `Bearer ${token}` }
  const res = new ServerResponse(req)
  return new InboundCall(req, res, runtime, requestIdOf(undefined), undefined)
}

const identity = authenticateCall(request())
if (identity instanceof Promise || identity === undefined) throw new Error('the token must be a cache hit by now')
const done = request()
done.identity = identity
done.authMs = 0.01
done.upstreamStatus = 200
done.upstreamMs = 0.2
const record = accessRecordOf(done)

const items: Array<[string, (call: InboundCall) => void]> = [
  ['the loop alone (subtracted from every step)', () => {}],
  ['head: one pass over the raw headers, path guard, Content-Length and Content-Type checks', (call) => {
    scanRequestHead(call)
    assertUnambiguousTarget(call.req.url ?? '', { paramDotSegments: true })
    assertPlainContentLength(call.req.headers['content-length'])
    assertMediaType(call.req)
  }],
  ['authenticate: Bearer extraction, SHA-256 of the token, cache hit with its re-checks', (call) => void authenticateCall(call)],
  ['authorize: no access rules (method overrides not parsed: none seen)', (call) => void authorizeRequest(call.req, identity, runtime, false)],
  ['upstream headers: hop-by-hop, Authorization, X-Forwarded-*, identity headers', (call) => {
    prepareUpstreamHeaders(call.req, identity, runtime, false)
    applyPermissionHeader(call.req.headers, undefined)
  }],
  ['access record, built once', () => void accessRecordOf(done)],
  ['access line through the process logger (flat JSON as pino writes it, credential scrub; the write excluded)', () => logFlatLine(logger, record, 'request')],
  ['metrics and status counters (in flight, requests, duration, activity)', () => {
    observer.onStart?.()
    observer.onDone?.(record)
  }],
]

const N = 50_000
const results = new Map<string, number[]>(items.map(([name]) => [name, []]))
for (let round = 0; round < 7; round++) {
  for (const [name, step] of items) {
    const calls = Array.from({ length: N }, request)
    const t0 = process.cpuUsage()
    for (const call of calls) step(call)
    const d = process.cpuUsage(t0)
    if (round > 0) results.get(name)?.push((d.user + d.system) / N)
  }
}
const base = median(results.get(items[0]![0]) ?? [])
let total = 0
process.stdout.write('| step | µs CPU per request (median of 6 × 50,000) |\n|---|--:|\n')
for (const [name] of items.slice(1)) {
  const us = Math.max(0, median(results.get(name) ?? []) - base)
  total += us
  process.stdout.write(`| ${name} | ${us.toFixed(2)} |\n`)
}
process.stdout.write(`| **sum** | **${total.toFixed(2)}** |\n`)
runtime.close()
runtime.forwarder.close()
await fixtures.close()
rmSync(dir, { recursive: true, force: true })
