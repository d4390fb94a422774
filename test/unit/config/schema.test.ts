import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { loadConfigObject } from '../../../src/config/index.js'
import { renderExampleYaml } from '../../../src/schema/index.js'
import { renderDefaultsYaml } from '../../../src/schema/index.js'
import { SCHEMA } from '../../../src/schema/index.js'
import { PARTNER_DEFAULTS } from '../../../src/schema/index.js'
import { DEFAULTS } from '../../../src/schema/index.js'
import { describeOption, type Option } from '../../../src/schema/options.js'
import { makeTempDir, writeCertFiles } from './fixtures.js'

const EXAMPLE_FILE = new URL('../../../config/gateway.example.yaml', import.meta.url)

/** Every option in the schema with its key, table items included. */
function allOptions(fields: Readonly<Record<string, Option>> = SCHEMA.fields): Array<[string, Option]> {
  return Object.entries(fields).flatMap(([key, option]): Array<[string, Option]> => {
    if (option.type === 'section') return [[key, option], ...allOptions(option.fields)]
    if (option.type === 'table') return [[key, option], ...allOptions(option.item.fields)]
    return [[key, option]]
  })
}

describe('DEFAULTS', () => {
  it('holds the documented defaults', () => {
    expect(DEFAULTS).toEqual({
      service: { name: 's2s-gateway', realmAliases: [] },
      listen: { inbound: { host: '0.0.0.0', port: 8443, maxConnections: 4096 }, admin: { host: '127.0.0.1', port: 9464, maxConnections: 64 } },
      upstream: { timeoutMs: 30_000, forwardAuthorization: false, maxSockets: 256, maxIdleSockets: 64, idleTimeoutMs: 4_000, websockets: true, websocketIdleSec: 600 },
      outbound: { maxSocketsPerPartner: 64, replayMaxBytes: 65_536, probeReuseMs: 10_000, tokenCacheMaxEntries: 10_000, maxIdleSocketsPerPartner: 64, idleTimeoutMs: 4_000, tokenRefreshBeforeExpirySec: 300 },
      trustedProxies: [],
      forwardAuth: { trustedProxies: ['127.0.0.1/32', '::1/128'], maxCacheSec: 60 },
      publicPaths: [],
      issuer: { certificates: [] },
      tokens: { clockSkewSec: 300, maxLifetimeSec: 90_000, maxTokenBytes: 8192, cacheMaxEntries: 10_000 },
      metadata: { refreshIntervalSec: 3600, refreshJitterPercent: 10, firstRetryMs: 30_000, refetchCooldownSec: 60, maxStaleSec: 604_800, timeoutMs: 5000, maxBytes: 1_048_576 },
      challenge: { listTrustedIssuers: true },
      limits: {},
      connections: { firstByteTimeoutMs: 10_000, headersTimeoutMs: 20_000, bodyIdleTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000, rejectedBodyMaxBytes: 65_536, rejectedBodyTimeoutMs: 5_000 },
      shutdown: { drainTimeoutMs: 10_000 },
      workers: 1,
      admin: { allowedHosts: [] },
      logging: { level: 'info', userClaim: 'upn', redactUsers: false, bufferBytes: 65536, maxPendingBytes: 16777216 },
      access: { mode: 'enforce', caseInsensitivePaths: false, deny: [] },
      authorizationServers: [],
      partners: [],
    })
    expect(PARTNER_DEFAULTS).toEqual({ trustLevel: 'application', acceptSid: false, allowHttp: false, tls: { insecureSkipVerify: false } })
    expect(Object.isFrozen(DEFAULTS.tokens)).toBe(true)
  })
})

describe('check-config --print-defaults output', () => {
  const text = renderDefaultsYaml()
  const parsed = parse(text) as Record<string, any>

  it('reads back as the defaults', () => {
    for (const section of ['listen', 'upstream', 'tokens', 'metadata', 'challenge', 'shutdown', 'logging'] as const) {
      expect(parsed[section]).toMatchObject(DEFAULTS[section])
    }
    expect(parsed.service).toMatchObject(DEFAULTS.service)
    expect(parsed.trustedProxies).toEqual([])
    expect(parsed.partners[0]).toMatchObject(PARTNER_DEFAULTS)
  })

  it.each(allOptions())('documents %s with its default', (key, option) => {
    expect(text).toContain(`# ${describeOption(option)}\n`)
    expect(text).toMatch(new RegExp(`^ *(?:# +)?(?:- )?${key}:`, 'm'))
  })
})

describe('config/gateway.example.yaml', () => {
  const temp = makeTempDir()
  afterAll(temp.remove)
  beforeAll(async () => {
    const certs = join(temp.dir, 'certs')
    mkdirSync(certs)
    await writeCertFiles(certs, 'gateway')
    const addin = await writeCertFiles(certs, 'hr-addin')
    copyFileSync(addin.cert, join(certs, 'internal-ca.pem'))
  })

  it('is exactly what the schema generates (regenerate: s2s-gateway check-config --print-example)', () => {
    const generated = renderExampleYaml()
    if (process.env['UPDATE_EXAMPLE'] === '1') writeFileSync(EXAMPLE_FILE, generated)
    expect(readFileSync(EXAMPLE_FILE, 'utf8')).toBe(generated)
  })

  it.each(allOptions())('documents %s', (key, option) => {
    const text = renderExampleYaml()
    expect(text).toContain(`# ${describeOption(option)}\n`)
    expect(text).toMatch(new RegExp(`^ *(?:# +)?(?:- )?${key}:`, 'm'))
  })

  it('shows the three partner forms and loads as a valid configuration once its files exist', () => {
    const raw = parse(readFileSync(EXAMPLE_FILE, 'utf8'))
    const { config } = loadConfigObject(raw, { baseDir: temp.dir })
    expect(config.partners.map((p) => [p.name, p.metadataUrl !== undefined, p.certificates !== undefined, p.authorizationServer ?? null])).toEqual([
      ['exchange', true, false, null],
      ['hr-addin', false, true, null],
      ['online-exchange', false, false, 'acs'],
    ])
    expect(config.authorizationServers.map((s) => s.name)).toEqual(['acs'])
    expect(config.service.metadataUrl).toBe('https://gw.contoso.com/metadata/json/1')
  })
})
