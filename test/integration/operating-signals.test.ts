// Integration (issue 4 §3): `serve` as the CLI runs it, from a real YAML file: SIGHUP reloads (a fake signal
// source stands in for the process), SIGTERM drains and stops, and --watch reloads when the file changes.
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { createSelfSignedCertificate } from '../../src/certs/create.js'
import { buildInfo } from '../../src/build-info.js'
import { serve, startServing, type Serving } from '../../src/main.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { baseConfig, metadataPartner } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'
import { eventually, parseExposition, valueOf } from './operating-fixture.js'

let dir: string
let upstream: EchoUpstream
let exchange: TestPartner
let meta: MetadataServer
const cleanups: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's2s-gw-serve-'))
  const issuer = await createSelfSignedCertificate({ subject: 'CN=serve test issuer' })
  writeFileSync(join(dir, 'gateway.pem'), issuer.certPem)
  writeFileSync(join(dir, 'gateway.key'), issuer.keyPem, { mode: 0o600 })
  upstream = await startEchoUpstream()
  exchange = await makeTestPartner()
  meta = await startMetadataServer(exchange)
  return async () => {
    await meta.close()
    await upstream.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const configFile = (): string => join(dir, 'gateway.yaml')
const writeConfig = (partners: unknown[], extra: Record<string, unknown> = {}): void =>
  writeFileSync(configFile(), stringify(baseConfig(dir, upstream.url, { partners, ...extra })))

function sink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = []
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk.toString('utf8')); done() } })
  return { stream, lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) }
}

const partnerNames = (s: Serving): string[] => s.running.gateway.holder.current.config.partners.map((p) => p.name)
const call = (s: Serving, token: string): Promise<number> =>
  fetch(`${s.running.inboundUrl}/api`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)
const reloadCount = async (s: Serving, result: string): Promise<number> =>
  valueOf(parseExposition(await (await fetch(`${s.running.adminUrl}/metrics`)).text()), 's2s_gateway_config_reloads_total', { result }) ?? 0

describe('serve: signals', () => {
  it('SIGHUP reloads the file; a bad file is refused and the old configuration keeps serving', async () => {
    writeConfig([])
    const logs = sink()
    const signals = new EventEmitter()
    const serving = await serve({ configPath: configFile(), env: {}, logDestination: logs.stream }, signals)
    cleanups.push(() => serving.close())
    expect(await call(serving, exchange.actorToken())).toBe(401)
    writeConfig([metadataPartner('exchange', meta.url)])
    signals.emit('SIGHUP')
    expect(partnerNames(serving)).toEqual(['exchange'])
    expect(await call(serving, exchange.actorToken())).toBe(200)
    writeFileSync(configFile(), 'service: [not a mapping\n')
    signals.emit('SIGHUP')
    expect(partnerNames(serving)).toEqual(['exchange'])
    expect(await call(serving, exchange.actorToken())).toBe(200)
    const refused = logs.lines().find((l) => l['msg'] === 'configuration reload refused; the previous configuration keeps serving')
    expect(refused).toMatchObject({ trigger: 'signal' })
    expect((refused?.['problems'] as unknown[]).length).toBeGreaterThan(0)
  })

  it('SIGTERM drains and stops both listeners', async () => {
    writeConfig([])
    const logs = sink()
    const signals = new EventEmitter()
    const serving = await serve({ configPath: configFile(), env: {}, logDestination: logs.stream }, signals)
    signals.emit('SIGTERM')
    await eventually(() => logs.lines().some((l) => l['msg'] === 'stopped'))
    expect(serving.running.gateway.inbound.server.listening).toBe(false)
    expect(serving.running.gateway.admin.server.listening).toBe(false)
  })
})

// Issue 15: which build is running, in the start-up line, on /status and /status.json, and as a gauge.
describe('serve: the build it runs', () => {
  it('names version and commit in the start-up line, on /status, /status.json and s2s_gateway_build_info', async () => {
    writeConfig([])
    const logs = sink()
    const serving = await startServing({ configPath: configFile(), env: {}, logDestination: logs.stream })
    cleanups.push(() => serving.close())
    const { version, commit, node } = buildInfo()
    expect(logs.lines().find((l) => l['msg'] === 's2s-gateway listening')).toMatchObject({ version, commit })
    const admin = serving.running.adminUrl
    const report = (await (await fetch(`${admin}/status.json`)).json()) as { gateway: Record<string, unknown> }
    expect(report.gateway).toMatchObject({ version, commit, node })
    const page = await (await fetch(`${admin}/status`)).text()
    expect(page).toContain(`<dt>Version</dt><dd>${version} <span class="muted">(commit <code>${commit}</code>, node ${node})</span></dd>`)
    const samples = parseExposition(await (await fetch(`${admin}/metrics`)).text())
    expect(valueOf(samples, 's2s_gateway_build_info', { version, node })).toBe(1)
  })
})

describe('serve --watch', () => {
  it('reloads when the file changes, and refuses a broken edit while the old configuration serves', async () => {
    writeConfig([])
    const serving = await startServing({ configPath: configFile(), env: {}, watch: true, logDestination: sink().stream })
    cleanups.push(() => serving.close())
    writeConfig([metadataPartner('exchange', meta.url)])
    await eventually(() => partnerNames(serving).length === 1)
    expect(await call(serving, exchange.actorToken())).toBe(200)
    expect(await reloadCount(serving, 'success')).toBe(1)
    writeConfig([metadataPartner('exchange', meta.url)], { publicPaths: ['/open'] })
    await eventually(() => serving.running.gateway.holder.current.config.publicPaths.length === 1)
    expect(await reloadCount(serving, 'success')).toBe(2)
    writeFileSync(configFile(), 'upstream: { url: 42 }\n')
    await eventually(async () => (await reloadCount(serving, 'failure')) === 1)
    expect(await call(serving, exchange.actorToken())).toBe(200)
  })
})
