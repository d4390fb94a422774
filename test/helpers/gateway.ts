// Test helper: start the real gateway on 127.0.0.1:0 from a config object, with its own issuer certificate
// generated into a temp dir, and capture its JSON log lines (to assert on reasons and on what never leaks).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../src/certs/create.js'
import { loadConfigObject } from '../../src/config/index.js'
import { createLogger } from '../../src/log/logger.js'
import type { GatewayDeps } from '../../src/lifecycle/build-gateway.js'
import { startGateway, type RunningGateway } from '../../src/lifecycle/start-gateway.js'
import { PUBLIC_HOST, REALM, SERVICE_ID } from './tokens.js'

export interface TestGateway {
  url: string
  adminUrl: string
  running: RunningGateway
  issuerCert: CreatedCertificate
  dir: string
  /** Every log line written so far, parsed. */
  logs(): Array<Record<string, unknown>>
  /** Raw log text, for "never appears" assertions. */
  logText(): string
  /** Build a config object with the same defaults and overrides, then hot-swap it in. */
  reload(overrides: Record<string, unknown>): void
  close(): Promise<void>
}

export type RawConfig = Record<string, unknown>

let sharedIssuer: Promise<CreatedCertificate> | undefined

/** The gateway's issuer certificate is the same for every test gateway in a worker (keygen is slow). */
function issuerCertificate(): Promise<CreatedCertificate> {
  sharedIssuer ??= createSelfSignedCertificate({ subject: 'CN=s2s-gateway test issuer' })
  return sharedIssuer
}

export function baseConfig(dir: string, upstreamUrl: string, overrides: RawConfig): RawConfig {
  const base: RawConfig = {
    service: { id: SERVICE_ID, name: 'Test API', realm: REALM, publicHosts: [PUBLIC_HOST, `${PUBLIC_HOST}:8443`] },
    listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } },
    upstream: { url: upstreamUrl, timeoutMs: 5000 },
    issuer: { certificates: [{ cert: join(dir, 'gateway.pem'), key: join(dir, 'gateway.key') }] },
    metadata: { timeoutMs: 2000 },
    logging: { level: 'info' },
    partners: [],
  }
  return { ...base, ...overrides }
}

/** What a test may inject into the gateway: a clock (`now`), a metadata fetcher (DNS failures, counting), hooks. */
export type TestGatewayDeps = Omit<GatewayDeps, 'logger' | 'tls'>

/** `captureLogs: false` drops log lines instead of keeping them (memory measurements; logs() is then empty). */
export async function startTestGateway(
  upstreamUrl: string,
  overrides: RawConfig = {},
  deps: TestGatewayDeps = {},
  { captureLogs = true }: { captureLogs?: boolean } = {},
): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 's2s-gw-test-'))
  const issuerCert = await issuerCertificate()
  writeFileSync(join(dir, 'gateway.pem'), issuerCert.certPem)
  writeFileSync(join(dir, 'gateway.key'), issuerCert.keyPem, { mode: 0o600 })
  const lines: string[] = []
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { if (captureLogs) lines.push(chunk.toString('utf8')); done() } })
  const logger = createLogger('debug', sink)
  const { config } = loadConfigObject(baseConfig(dir, upstreamUrl, overrides), { baseDir: dir, env: {} })
  const running = await startGateway(config, { ...deps, logger })
  return {
    url: running.inboundUrl,
    adminUrl: running.adminUrl,
    running,
    issuerCert,
    dir,
    logs: () => lines.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    logText: () => lines.join(''),
    reload(next) {
      running.gateway.reload(loadConfigObject(baseConfig(dir, upstreamUrl, next), { baseDir: dir, env: {} }).config)
    },
    async close() {
      await running.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A metadata-registered partner entry for a loopback metadata server. */
export function metadataPartner(name: string, url: string, extra: RawConfig = {}): RawConfig {
  return { name, metadataUrl: url, allowHttp: true, trustLevel: 'full', ...extra }
}
