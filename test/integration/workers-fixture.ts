// Test fixture for `workers: N`: the real CLI (`node dist/cli/index.js serve`, so `npm run build` first) started
// from a YAML file on 127.0.0.1, with an echo upstream and one metadata partner (exchange) whose server counts
// fetches. Log lines (JSON, stdout of the primary and its workers) are kept; workers log with a `worker` field.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { stringify } from 'yaml'
import { createSelfSignedCertificate } from '../../src/certs/create.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { baseConfig, metadataPartner, type RawConfig } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'
import { parseExposition, type Sample } from './operating-fixture.js'

const CLI = resolve(import.meta.dirname, '../../dist/cli/index.js')
const SRC = resolve(import.meta.dirname, '../../src')

/** These tests run the build: refuse a missing or stale one rather than test old code. */
function checkBuild(): void {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` first')
  const newest = (readdirSync(SRC, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .reduce((max, f) => Math.max(max, statSync(join(SRC, f)).mtimeMs), 0)
  if (newest > statSync(CLI).mtimeMs && newest > statSync(resolve(SRC, '../dist/workers/index.js')).mtimeMs) {
    throw new Error('dist/ is older than src/: run `npm run build` first')
  }
}

export type LogLine = Record<string, unknown>

export interface ClusterWorld {
  upstream: EchoUpstream
  exchange: TestPartner
  meta: MetadataServer
  child: ChildProcess
  inboundUrl: string
  adminUrl: string
  /** The outbound listener's URL, when listen.outbound is configured. */
  outboundUrl: string | undefined
  logs(): LogLine[]
  /** The config file: the base config with workers, exchange as partner, `extra` and these overrides. */
  configFile: string
  /** Rewrite the config file with these top-level overrides (partners: exchange unless given). */
  writeConfig(overrides: RawConfig): void
  /** One request on a connection of its own, so that node:cluster hands it to any worker (token null: none). */
  call(path?: string, token?: string | null): Promise<number>
  scrape(): Promise<Sample[]>
  /** Worker ids (log field `worker`) that answered access lines with this status, from log line `since` on. */
  workersAnswering(status: number, since?: number): Set<number>
  /** Resolves with the exit code once the primary has exited. */
  exited: Promise<number | null>
  close(): Promise<void>
}

export async function startClusterWorld(workers: number | 'auto', extra: RawConfig = {}): Promise<ClusterWorld> {
  checkBuild()
  const dir = mkdtempSync(join(tmpdir(), 's2s-gw-workers-'))
  const issuer = await createSelfSignedCertificate({ subject: 'CN=workers test issuer' })
  writeFileSync(join(dir, 'gateway.pem'), issuer.certPem)
  writeFileSync(join(dir, 'gateway.key'), issuer.keyPem, { mode: 0o600 })
  const upstream = await startEchoUpstream()
  const exchange = await makeTestPartner()
  const meta = await startMetadataServer(exchange)
  const configFile = join(dir, 'gateway.yaml')
  const writeConfig = (overrides: RawConfig): void =>
    // The tests read the workers' lines as they are written: no batching (logging.bufferBytes).
    writeFileSync(configFile, stringify(baseConfig(dir, upstream.url, { workers, partners: [metadataPartner('exchange', meta.url)], logging: { level: 'info', bufferBytes: 0 }, ...extra, ...overrides })))
  writeConfig({})
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } })
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  let text = ''
  let errors = ''
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')))
  const logs = (): LogLine[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine)
  const find = (msg: string): LogLine | undefined => logs().find((l) => l['msg'] === msg)
  await until(() => find('s2s-gateway listening') !== undefined || child.exitCode !== null, 'the primary to listen', 20_000)
  if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${errors}`)
  const adminUrl = String(find('s2s-gateway listening')?.['admin'])
  await until(async () => (await fetch(`${adminUrl}/readyz`)).status === 200, 'every worker to be ready', 20_000, 50)
  const inboundUrl = String(find('worker listening')?.['inbound'])
  const outbound = find('worker listening')?.['outbound']
  const world: ClusterWorld = {
    upstream, exchange, meta, child, inboundUrl, adminUrl, logs, writeConfig, exited,
    outboundUrl: typeof outbound === 'string' ? outbound : undefined, configFile,
    call: (path = '/api/items', token = exchange.actorToken()) => request(`${inboundUrl}${path}`, token),
    scrape: async () => parseExposition(await (await fetch(`${adminUrl}/metrics`)).text()),
    workersAnswering: (status, since = 0) => new Set(logs().slice(since).filter((l) => l['status'] === status && typeof l['worker'] === 'number').map((l) => l['worker'] as number)),
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      await Promise.all([meta.close(), upstream.close()])
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return world
}

/** GET on a fresh connection (agent: false), resolving with the status. */
export function request(url: string, token: string | null): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = http.get(url, { agent: false, headers: token === null ? {} : { authorization: `Bearer ${token}` } }, (res) => {
      res.resume()
      res.on('end', () => resolveStatus(res.statusCode ?? 0))
    })
    req.on('error', reject)
  })
}

/** `n` requests, `parallel` at a time, each on its own connection: their statuses. */
export async function callMany(world: ClusterWorld, n: number, parallel = 4, path?: string, token: string | null = world.exchange.actorToken()): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < n; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, n - i) }, () => request(`${world.inboundUrl}${path ?? '/api/items'}`, token))
    statuses.push(...(await Promise.all(batch)))
  }
  return statuses
}
