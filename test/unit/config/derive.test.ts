// Unit: the configuration types derived from the schema (schema/derive.ts) agree with what load produces. The
// type-level checks are compile-time: `npm run typecheck` (tsc over test/) fails when a derived type drifts, since
// vitest's typecheck mode is off here. The runtime checks walk the same schema and compare with a loaded config.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfigObject } from '../../../src/config/index.js'
import { DEFAULTS, SCHEMA, type ConfigDefaults, type GatewayConfig, type PartnerConfig } from '../../../src/schema/index.js'
import type { LimitsConfig, PartnerOutboundConfig, PermissionConfig } from '../../../src/schema/types.js'
import { describeOption, type Option } from '../../../src/schema/options.js'
import { makeTempDir, problemsOf, validRaw, writeCertFiles } from './fixtures.js'

// `Equal` is true only for identical types (the usual mutual-conditional trick); `expectType<true>` fails to compile otherwise.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type IsOptional<T, K extends keyof T> = {} extends Pick<T, K> ? true : false
const expectType = <T extends true>(): T | undefined => undefined

describe('ConfigOf<typeof SCHEMA> (compile-time)', () => {
  it('maps values, keywords and files to their loaded types', () => {
    expectType<Equal<PartnerConfig['trustLevel'], 'full' | 'application'>>()
    expectType<Equal<GatewayConfig['logging']['level'], 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>>()
    expectType<Equal<GatewayConfig['workers'], number | 'auto'>>() // walk.ts returns the keyword itself
    expectType<Equal<PermissionConfig['right'], 'read' | 'write' | 'full' | undefined>>()
    expectType<Equal<GatewayConfig['issuer']['certificates'], Array<{ cert: string; key?: string }>>>()
    expectType<Equal<GatewayConfig['service']['publicHosts'], string[]>>()
    // @ts-expect-error a word outside `values` is not a trust level
    const level: PartnerConfig['trustLevel'] = 'sometimes'
    // @ts-expect-error a key the schema does not have is not in the type
    const jitter: GatewayConfig['metadata']['refreshJitter'] = 1
    expect([level, jitter]).toHaveLength(2)
  })

  it('makes a key required exactly when load always sets it', () => {
    expectType<Equal<IsOptional<GatewayConfig['listen'], 'admin'>, false>>() // section: defaults
    expectType<Equal<IsOptional<GatewayConfig['listen'], 'outbound'>, true>>() // optional section
    expectType<Equal<IsOptional<PartnerConfig, 'permissions'>, true>>() // optional table: absent and [] differ
    expectType<Equal<IsOptional<GatewayConfig, 'partners'>, false>>() // table: [] by default
    expectType<Equal<IsOptional<GatewayConfig['metadata'], 'cacheDir'>, true>>() // file without default
    expectType<Equal<IsOptional<GatewayConfig['service'], 'id'>, false>>() // required
    // setByCheck: filled by check-outbound.ts, check-service.ts, check-access.ts, check-forward-auth.ts
    expectType<Equal<IsOptional<PartnerOutboundConfig, 'audienceHost'>, false>>()
    expectType<Equal<IsOptional<GatewayConfig['service'], 'metadataUrl'>, false>>()
    expectType<Equal<IsOptional<PermissionConfig, 'name'>, false>>()
    expectType<Equal<IsOptional<GatewayConfig['upstream'], 'url'>, false>>()
    // a defaultText alone is not a value: limits.burst stays absent until limits/ computes it
    expectType<Equal<IsOptional<LimitsConfig, 'burst'>, true>>()
  })

  it('types DEFAULTS with only the keys that have a default', () => {
    expectType<Equal<ConfigDefaults['outbound']['maxIdleSocketsPerPartner'], number>>()
    expectType<Equal<ConfigDefaults['issuer'], { certificates: [] }>>()
    // @ts-expect-error service.id has no default
    expect(DEFAULTS.service.id).toBeUndefined()
    // @ts-expect-error listen.outbound is absent unless configured
    expect(DEFAULTS.listen.outbound).toBeUndefined()
  })
})

/** Whether load always sets an option: the runtime reading of derive.ts's IsAlwaysSet. */
function isAlwaysSet(option: Option): boolean {
  if (option.required === true || option.setByCheck === true) return true
  if (option.type === 'section' || option.type === 'table') return option.optional !== true
  return 'default' in option && option.default !== undefined
}

/** Every always-set key path of `fields` missing from `value` (table items are checked through their first entry). */
function missingKeys(fields: Readonly<Record<string, Option>>, value: Record<string, unknown>, at = ''): string[] {
  return Object.entries(fields).flatMap(([key, option]) => {
    const path = at === '' ? key : `${at}.${key}`
    const child = value[key]
    if (child === undefined) return isAlwaysSet(option) ? [path] : []
    if (option.type === 'section') return missingKeys(option.fields, child as Record<string, unknown>, path)
    if (option.type === 'table') {
      const first = (child as Array<Record<string, unknown>>)[0]
      return first === undefined ? [] : missingKeys(option.item.fields, first, `${path}[0]`)
    }
    return []
  })
}

describe('a loaded configuration', () => {
  const temp = makeTempDir()
  afterAll(temp.remove)
  beforeAll(async () => {
    await Promise.all([writeCertFiles(temp.dir, 'gateway'), writeCertFiles(temp.dir, 'partner')])
  })

  /** validRaw() plus the optional sections whose keys are filled by checks, none of those keys given. */
  function rawWithComputedKeys(): Record<string, any> {
    const raw = validRaw()
    raw['partners'][0].outbound = { url: 'https://mail.contoso.com' }
    raw['partners'][0].permissions = [{ paths: ['/api/**'], right: 'read' }]
    raw['access'] = { deny: [{ paths: ['/api/admin/**'] }] }
    return raw
  }

  it('has every key its derived type requires', () => {
    const { config } = loadConfigObject(rawWithComputedKeys(), { baseDir: temp.dir })
    expect(missingKeys(SCHEMA.fields, config)).toEqual([])
    expect(config.partners[0]?.outbound).toMatchObject({ audienceHost: 'mail.contoso.com', issuerRealm: 'contoso.com' })
    expect(config.partners[0]?.permissions?.[0]?.name).toBe('exchange#0')
  })

  it('takes the former constants from the schema when the file omits them', () => {
    const { config } = loadConfigObject(validRaw(), { baseDir: temp.dir })
    expect(config.metadata).toMatchObject({ refreshJitterPercent: 10, firstRetryMs: 30_000 })
    expect(config.outbound).toMatchObject({ maxIdleSocketsPerPartner: 64, tokenRefreshBeforeExpirySec: 300 })
    expect(config.upstream.maxIdleSockets).toBe(64)
    expect(DEFAULTS.metadata).toMatchObject({ refreshJitterPercent: 10, firstRetryMs: 30_000 })
    expect(DEFAULTS.outbound).toMatchObject({ maxIdleSocketsPerPartner: 64, tokenRefreshBeforeExpirySec: 300 })
    expect(describeOption(SCHEMA.fields.metadata.fields.refreshJitterPercent)).toMatch(/Default: 10 \(percent\)\.$/)
  })

  it.each([
    ['metadata', 'refreshJitterPercent', 51, 'must be between 0 and 50'],
    ['metadata', 'refreshJitterPercent', -1, 'must be between 0 and 50'],
    ['metadata', 'firstRetryMs', 99, 'must be between 100 and 2147483647'],
    ['outbound', 'maxIdleSocketsPerPartner', 0, 'must be between 1 and 4096'],
    ['outbound', 'maxIdleSocketsPerPartner', 4_097, 'must be between 1 and 4096'],
    ['outbound', 'tokenRefreshBeforeExpirySec', 29, 'must be between 30 and 599'],
    ['outbound', 'tokenRefreshBeforeExpirySec', 600, 'must be between 30 and 599'],
    ['upstream', 'maxIdleSockets', 0, 'must be at least 1'],
  ])('reports %s.%s = %d by name', (section, key, value, message) => {
    const raw = validRaw()
    raw[section] = { ...raw[section], [key]: value }
    expect(problemsOf(raw, temp.dir)).toEqual([{ path: `${section}.${key}`, message }])
  })
})
