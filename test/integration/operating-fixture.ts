// Test fixture for the operating tests: a gateway with three partners (exchange: healthy metadata partner,
// lync: metadata never reachable, hr-addin: certificate files, application trust), its config also written
// as a YAML file that reloads read, and a parser for the /metrics text exposition.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { onTestFinished } from 'vitest'
import { loadConfigFile } from '../../src/config/index.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { baseConfig, metadataPartner, startTestGateway, type RawConfig, type TestGateway, type TestGatewayDeps } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, REALM, type TestPartner } from '../helpers/tokens.js'
import { authServerEntry, startAuthServer, type AuthServer } from '../helpers/auth-server.js'
import { until } from '../helpers/until.js'

export const LYNC_ID = '00000004-0000-0ff1-ce00-000000000000'
export const HR_ID = '11111111-2222-3333-4444-555555555555'

export interface OperatingWorld {
  upstream: EchoUpstream
  exchange: TestPartner
  exchangeMeta: MetadataServer
  lync: TestPartner
  lyncMeta: MetadataServer
  hr: TestPartner
  gw: TestGateway
  /** The three partner entries, as config. */
  partners: RawConfig[]
  /** The YAML file gateway.reloadFromSource() reads (POST /reload, SIGHUP). */
  configFile: string
  /** Write the config file: the base config with these top-level overrides. */
  writeConfig(overrides: RawConfig): void
  call(token?: string, path?: string, headers?: Record<string, string>): Promise<Response>
  scrape(): Promise<Sample[]>
  close(): Promise<void>
}

export interface WorldOptions {
  /** Top-level config overrides (partners defaults to the three partners). */
  overrides?: (partners: RawConfig[]) => RawConfig
  deps?: TestGatewayDeps
  /** `${NAME}` values for the config file. */
  env?: Record<string, string>
}

export async function startOperatingWorld(opts: WorldOptions = {}): Promise<OperatingWorld> {
  const upstream = await startEchoUpstream()
  const [exchange, lync, hr] = await Promise.all([makeTestPartner(), makeTestPartner({ id: LYNC_ID }), makeTestPartner({ id: HR_ID })])
  const [exchangeMeta, lyncMeta] = await Promise.all([startMetadataServer(exchange), startMetadataServer(lync)])
  lyncMeta.down = true
  // The hr-addin certificate and the config file live in a directory of our own, known before the gateway starts.
  const dir = mkdtempSync(join(tmpdir(), 's2s-gw-operating-'))
  const configFile = join(dir, 'gateway.yaml')
  writeFileSync(join(dir, 'hr-addin.pem'), hr.cert.certPem)
  const partners: RawConfig[] = [
    metadataPartner('exchange', exchangeMeta.url),
    metadataPartner('lync', lyncMeta.url, { applicationId: LYNC_ID, realm: REALM }),
    { name: 'hr-addin', applicationId: HR_ID, realm: REALM, certificates: [join(dir, 'hr-addin.pem')], trustLevel: 'application' },
  ]
  const overrides = { partners, ...opts.overrides?.(partners) }
  const loadConfig = () => loadConfigFile(configFile, { env: opts.env ?? {} })
  const gw = await startTestGateway(upstream.url, overrides, { ...opts.deps, loadConfig })
  const writeConfig = (next: RawConfig): void => {
    writeFileSync(configFile, stringify(baseConfig(gw.dir, upstream.url, next)))
  }
  writeConfig(overrides)
  return {
    upstream, exchange, exchangeMeta, lync, lyncMeta, hr, gw, partners, configFile, writeConfig,
    call: (token, path = '/api/items', headers = {}) =>
      fetch(`${gw.url}${path}`, { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } }),
    scrape: async () => parseExposition(await (await fetch(`${gw.adminUrl}/metrics`)).text()),
    async close() {
      await gw.close()
      await Promise.all([exchangeMeta.close(), lyncMeta.close(), upstream.close()])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** startOperatingWorld inside a test: the world is closed when that test finishes. */
export async function startWorldForTest(opts: WorldOptions = {}): Promise<OperatingWorld> {
  const w = await startOperatingWorld(opts)
  onTestFinished(() => w.close())
  return w
}

/** SharePoint Online's principal id: the partner "spo" that reaches us through the authorization server "acs". */
export const SPO_ID = '00000003-0000-0ff1-ce00-000000000000'

/** The usual world plus an authorization server "acs" and the partner "spo" behind it (issue 7), warmed up. */
export async function startWorldWithAuthServer(): Promise<{ acs: AuthServer; w: OperatingWorld }> {
  const acs = await startAuthServer()
  const w = await startOperatingWorld({
    overrides: (partners) => ({
      authorizationServers: [authServerEntry('acs', acs)],
      partners: [...partners, { name: 'spo', applicationId: SPO_ID, realm: REALM, authorizationServer: 'acs', trustLevel: 'full' }],
    }),
  })
  await w.gw.running.gateway.warmUp()
  return { acs, w }
}

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Prometheus text format, samples only (HELP/TYPE lines skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) continue
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key as string] = value as string
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) })
  }
  return samples
}

/** The value of the one sample with exactly these labels, or undefined. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
  const found = samples.filter((s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v))
  if (found.length > 1) throw new Error(`several samples of ${name} match ${JSON.stringify(labels)}`)
  return found[0]?.value
}

/** Wait for a condition (an outcome, not a duration), checking every 20 ms, failing after `limitMs`. */
export function eventually(check: () => boolean | Promise<boolean>, limitMs = 10_000): Promise<void> {
  return until(check, 'the condition', limitMs, 20)
}
