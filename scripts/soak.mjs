// `npm run soak -- --seconds N` (default 20): a bounded soak. The gateway runs alone in a child process (built
// from dist/, started with --expose-gc); this process serves the partner metadata and the echo backend and sends
// steady mixed traffic: good app-only and user tokens (cached and fresh), forged tokens, and client aborts
// mid-response. It prints the child's RSS, heap after a forced GC, event-loop delay and open handles at the start
// (after a warm-up) and at the end (after the load stopped and its connections closed), writes reports/soak.json,
// and exits 1 when a bound is broken or a request got an answer it should not have.
import { fork } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const MIB = 1_048_576

/** The bounds the soak enforces between the start and end samples (both taken after a forced GC). */
const BOUNDS = {
  heapGrowthBytes: 16 * MIB, // the JS heap of a steady gateway does not grow
  rssGrowthBytes: 96 * MIB, // RSS may settle upwards (allocator, JIT), but not without limit
  handleGrowth: 8, // sockets, servers and timers of the gateway process
}

// ---------------------------------------------------------------------------------------------------------------
// The child: one gateway, measured on request.

async function child() {
  const { loadConfigObject } = await import(join(ROOT, 'dist/config/index.js'))
  const { createLogger } = await import(join(ROOT, 'dist/log/index.js'))
  const { startGateway } = await import(join(ROOT, 'dist/lifecycle/index.js'))
  const { Writable } = await import('node:stream')
  const eld = monitorEventLoopDelay({ resolution: 10 })
  eld.enable()
  let running
  // Logs go nowhere, but are produced in full (level info: one access line per request), as in production.
  const sink = new Writable({ write: (_chunk, _enc, done) => done() })
  process.on('message', async (msg) => {
    if (msg.type === 'start') {
      const { config } = loadConfigObject(msg.config, { baseDir: msg.dir, env: {} })
      running = await startGateway(config, { logger: createLogger('info', sink) })
      await running.gateway.warmUp()
      process.send({ type: 'ready', url: running.inboundUrl })
    } else if (msg.type === 'sample') {
      for (let i = 0; i < 4; i++) {
        globalThis.gc()
        await new Promise((r) => setImmediate(r))
      }
      const mem = process.memoryUsage()
      const connections = await new Promise((r) => running.gateway.inbound.server.getConnections((_e, n) => r(n)))
      const resources = process.getActiveResourcesInfo()
      process.send({
        type: 'sample',
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        // Everything that keeps an event loop alive or busy: sockets, servers, pipes, timers.
        handles: resources.length,
        kinds: resources.reduce((acc, r) => ((acc[r] = (acc[r] ?? 0) + 1), acc), {}),
        inboundConnections: connections,
        upstreamSockets: running.gateway.holder.current.forwarder.socketCounts(),
        eventLoopDelayP50Ms: eld.percentile(50) / 1e6,
        eventLoopDelayP99Ms: eld.percentile(99) / 1e6,
        eventLoopDelayMaxMs: eld.max / 1e6,
      })
      eld.reset()
    } else if (msg.type === 'stop') {
      await running.close()
      process.exit(0)
    }
  })
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: partner metadata, backend, load, report.

function parseArgs() {
  const i = process.argv.indexOf('--seconds')
  const seconds = i === -1 ? 20 : Number(process.argv[i + 1])
  if (!Number.isFinite(seconds) || seconds < 1) throw new Error('--seconds needs a number >= 1')
  return { seconds }
}

const b64u = (v) => Buffer.from(v).toString('base64url')

async function listen(handler) {
  const server = http.createServer(handler)
  server.keepAliveTimeout = 60_000
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { server, url: `http://127.0.0.1:${server.address().port}` }
}

async function parent() {
  const { seconds } = parseArgs()
  const { createSelfSignedCertificate } = await import(join(ROOT, 'dist/certs/index.js'))
  const { mintActorToken, wrapUserToken } = await import(join(ROOT, 'dist/issuer/index.js'))
  const dir = mkdtempSync(join(tmpdir(), 's2s-soak-'))
  const [issuerCert, partnerCert] = await Promise.all([
    createSelfSignedCertificate({ subject: 'CN=soak gateway' }),
    createSelfSignedCertificate({ subject: 'CN=soak partner' }),
  ])
  writeFileSync(join(dir, 'gateway.pem'), issuerCert.certPem)
  writeFileSync(join(dir, 'gateway.key'), issuerCert.keyPem, { mode: 0o600 })

  const SERVICE = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'
  const PARTNER = '00000002-0000-0ff1-ce00-000000000000'
  const REALM = 'contoso.com'
  const issuer = `${PARTNER}@${REALM}`
  const audience = `${SERVICE}/gw.contoso.com@${REALM}`
  const metadata = await listen((_req, res) => {
    const doc = {
      version: '1.0', realm: REALM, serviceName: PARTNER, issuer, allowedAudiences: [issuer],
      keys: [{ usage: 'signing', keyinfo: { x5t: partnerCert.x5t }, keyvalue: { type: 'x509Certificate', value: partnerCert.der.toString('base64') } }],
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc))
  })
  const backend = await listen((req, res) => {
    req.resume()
    if (req.url.startsWith('/stream')) {
      // Headers and part of a body, the rest later: the client aborts in between.
      res.writeHead(200, { 'content-type': 'text/plain' }).write('partial')
      const timer = setTimeout(() => res.end('rest'), 200)
      res.on('close', () => clearTimeout(timer))
      return
    }
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok'))
  })

  const config = {
    service: { id: SERVICE, name: 'Soak', realm: REALM, publicHosts: ['gw.contoso.com'] },
    listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } },
    upstream: { url: backend.url, timeoutMs: 5000 },
    issuer: { certificates: [{ cert: join(dir, 'gateway.pem'), key: join(dir, 'gateway.key') }] },
    tokens: { cacheMaxEntries: 1000 },
    partners: [{ name: 'exchange', metadataUrl: `${metadata.url}/metadata/json/1`, allowHttp: true, trustLevel: 'full', applicationId: PARTNER, realm: REALM }],
  }

  const gateway = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const replies = []
  let waiting
  gateway.on('message', (m) => (waiting ? (waiting(m), (waiting = undefined)) : replies.push(m)))
  const ask = (msg) => new Promise((resolve) => {
    if (replies.length > 0) return resolve(replies.shift())
    waiting = resolve
    if (msg !== undefined) gateway.send(msg)
  })
  gateway.send({ type: 'start', config, dir })
  const { url } = await ask()

  // Token pools, minted before the clock starts so the load does not wait on RSA signing.
  const nowSec = Math.floor(Date.now() / 1000)
  const window = { nbf: nowSec - 300, exp: nowSec + seconds + 3600 }
  const signer = { privateKey: partnerCert.privateKey, x5t: partnerCert.x5t }
  // RS256 is deterministic: distinct tokens need distinct claims (nbf moved back one second per token).
  const mint = (i, extra = {}) => mintActorToken(signer, { issuer, audience, nbf: window.nbf - i, exp: window.exp, ...extra })
  const warm = await Promise.all(Array.from({ length: 20 }, (_, i) => mint(i)))
  const fresh = await Promise.all(Array.from({ length: 3000 }, (_, i) => mint(100 + i)))
  const users = await Promise.all(Array.from({ length: 50 }, async (_, i) => wrapUserToken({
    actorToken: await mint(i, { trustedForDelegation: true }), issuer, audience, ...window, user: { upn: `user${i}@${REALM}` },
  })))
  let forgedCount = 0
  const forged = () => {
    const n = forgedCount++
    const claims = { aud: audience, iss: issuer, nameid: issuer, ...window, jti: `forged-${n}` }
    return `${b64u(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: partnerCert.x5t }))}.${b64u(JSON.stringify(claims))}.${b64u(Buffer.alloc(256, n % 251))}`
  }

  const stats = { requests: 0, unexpected: 0, byKind: {} }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 })
  const target = new URL(url)
  let freshIndex = 0
  const pick = (i) => {
    const r = i % 20
    if (r < 8) return { kind: 'app-cached', token: warm[i % warm.length], expect: 200 }
    if (r < 10) return { kind: 'app-fresh', token: fresh[freshIndex++ % fresh.length], expect: 200 }
    if (r < 14) return { kind: 'user', token: users[i % users.length], expect: 200 }
    if (r < 18) return { kind: 'forged', token: forged(), expect: 401 }
    return { kind: 'abort', token: warm[0], expect: undefined }
  }
  const one = (i) => new Promise((resolve) => {
    const { kind, token, expect } = pick(i)
    stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1
    stats.requests++
    const req = http.request({ host: target.hostname, port: target.port, agent: kind === 'abort' ? false : agent, path: kind === 'abort' ? '/stream' : '/api', headers: { authorization: `Bearer ${token}` } })
    req.on('error', () => resolve())
    req.on('response', (res) => {
      if (kind === 'abort') {
        req.destroy() // mid-response: headers and part of the body are in, the client goes away
        return resolve()
      }
      if (res.statusCode !== expect) stats.unexpected++
      res.resume().on('end', resolve).on('error', resolve)
    })
    req.end()
  })
  const run = async (durationMs, concurrency) => {
    const until = Date.now() + durationMs
    let i = 0
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) await one(i++)
    }))
  }
  const closeLoad = async () => {
    agent.destroy()
    for (let k = 0; k < 500; k++) {
      const s = await ask({ type: 'sample' })
      if (s.inboundConnections === 0 && s.upstreamSockets.active === 0) return s
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error('client connections did not close')
  }

  const CONCURRENCY = 32
  await run(Math.min(5, Math.max(2, seconds / 4)) * 1000, CONCURRENCY) // warm-up: JIT, pools, caches
  const start = await closeLoad()
  const warmRequests = stats.requests
  await run(seconds * 1000, CONCURRENCY)
  await new Promise((r) => setTimeout(r, 300)) // let the aborted streams' timers and sockets finish
  const end = await closeLoad()
  gateway.send({ type: 'stop' })
  await new Promise((r) => gateway.once('exit', r))
  await Promise.all([new Promise((r) => metadata.server.close(r)), new Promise((r) => { backend.server.closeAllConnections(); backend.server.close(r) })])
  rmSync(dir, { recursive: true, force: true })

  const growth = { heap: end.heapUsed - start.heapUsed, rss: end.rss - start.rss, handles: end.handles - start.handles }
  const broken = []
  if (growth.heap > BOUNDS.heapGrowthBytes) broken.push(`heap grew ${(growth.heap / MIB).toFixed(1)} MiB (bound ${BOUNDS.heapGrowthBytes / MIB} MiB)`)
  if (growth.rss > BOUNDS.rssGrowthBytes) broken.push(`RSS grew ${(growth.rss / MIB).toFixed(1)} MiB (bound ${BOUNDS.rssGrowthBytes / MIB} MiB)`)
  if (growth.handles > BOUNDS.handleGrowth) broken.push(`open handles grew by ${growth.handles} (bound ${BOUNDS.handleGrowth})`)
  if (stats.unexpected > 0) broken.push(`${stats.unexpected} requests got an unexpected status`)
  const requests = stats.requests - warmRequests
  const fmt = (s) => `${(s.rss / MIB).toFixed(1).padStart(7)} MiB  ${(s.heapUsed / MIB).toFixed(1).padStart(7)} MiB  ${[s.eventLoopDelayP50Ms, s.eventLoopDelayP99Ms, s.eventLoopDelayMaxMs].map((v) => v.toFixed(1)).join(' / ').padStart(18)} ms  ${String(s.handles).padStart(7)}`
  console.log(`soak: ${seconds} s of mixed traffic (${requests} requests after warm-up; ${Object.entries(stats.byKind).map(([k, v]) => `${k} ${v}`).join(', ')})`)
  console.log('            RSS     heap (GC)   event loop p50/p99/max       handles')
  console.log(`start  ${fmt(start)}`)
  console.log(`end    ${fmt(end)}`)
  console.log(`bounds: heap +${BOUNDS.heapGrowthBytes / MIB} MiB, RSS +${BOUNDS.rssGrowthBytes / MIB} MiB, handles +${BOUNDS.handleGrowth}; unexpected statuses: ${stats.unexpected}`)
  const pick3 = (s) => ({ rss: s.rss, heapUsed: s.heapUsed, handles: s.handles, handleKinds: s.kinds, eventLoopDelayP50Ms: +s.eventLoopDelayP50Ms.toFixed(2), eventLoopDelayP99Ms: +s.eventLoopDelayP99Ms.toFixed(2), eventLoopDelayMaxMs: +s.eventLoopDelayMaxMs.toFixed(2) })
  const report = { generatedAt: new Date().toISOString(), seconds, requests, byKind: stats.byKind, unexpected: stats.unexpected, start: pick3(start), end: pick3(end), bounds: BOUNDS, ok: broken.length === 0, broken }
  mkdirSync(join(ROOT, 'reports'), { recursive: true })
  writeFileSync(join(ROOT, 'reports', 'soak.json'), `${JSON.stringify(report, null, 2)}\n`)
  if (broken.length > 0) {
    console.log(`soak FAILED: ${broken.join('; ')}`)
    process.exitCode = 1
  } else {
    console.log('soak ok')
  }
}

// Last, so every declaration above is initialised before either side runs.
if (process.argv.includes('--child')) await child()
else await parent()
