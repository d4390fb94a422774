// Test helper: a counting, controllable stand-in for fetchMetadataDocument, a settable clock, a recording
// logger and partner configs, for deterministic tests of the partner state machine and registry.
import type { PartnerConfig, GatewayConfig } from '../../src/schema/types.js'
import type { Logger } from '../../src/log/logger.js'
import type { MetadataFetchOptions } from '../../src/partners/metadata-fetch.js'

export const METADATA: GatewayConfig['metadata'] = {
  refreshIntervalSec: 3_600,
  refreshJitterPercent: 10,
  firstRetryMs: 30_000,
  refetchCooldownSec: 60,
  maxStaleSec: 86_400,
  timeoutMs: 5_000,
  maxBytes: 1_048_576,
}

export function partnerConfig(overrides: Partial<PartnerConfig> = {}): PartnerConfig {
  return {
    name: 'exchange',
    metadataUrl: 'https://autodiscover.contoso.com/autodiscover/metadata/json/1',
    trustLevel: 'full',
    acceptSid: false,
    allowHttp: false,
    tls: { insecureSkipVerify: false },
    ...overrides,
  }
}

export interface FakeFetch {
  (url: string, opts: MetadataFetchOptions): Promise<unknown>
  /** Number of calls so far. */
  calls: number
  /** What the next calls answer: a document (deep-copied per call), an Error to throw, or a function of the call number. */
  answer: unknown
  /** While set, calls wait for release() before answering (to hold a fetch in flight). */
  held: boolean
  release(): void
  lastOptions: MetadataFetchOptions | undefined
}

export function fakeFetch(answer: unknown): FakeFetch {
  let waiting: Array<() => void> = []
  const fake = (async (_url: string, opts: MetadataFetchOptions) => {
    const call = ++fake.calls
    fake.lastOptions = opts
    if (fake.held) await new Promise<void>((resolve) => waiting.push(resolve))
    const answer: unknown = typeof fake.answer === 'function' ? (fake.answer as (call: number) => unknown)(call) : fake.answer
    if (answer instanceof Error) throw answer
    return JSON.parse(JSON.stringify(answer)) as unknown
  }) as FakeFetch
  Object.assign(fake, { calls: 0, answer, held: false, lastOptions: undefined })
  fake.release = () => {
    fake.held = false
    const resume = waiting
    waiting = []
    for (const go of resume) go()
  }
  return fake
}

export interface Clock {
  now: () => number
  advanceSec(sec: number): void
}

export function fakeClock(start = Date.UTC(2030, 0, 1)): Clock {
  let t = start
  return { now: () => t, advanceSec: (sec) => void (t += sec * 1000) }
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error'
  obj: object
  msg: string | undefined
}

export function recordingLogger(): Logger & { records: LogRecord[]; text(): string } {
  const records: LogRecord[] = []
  const at = (level: LogRecord['level']) => (obj: object, msg?: string) => void records.push({ level, obj, msg })
  return {
    records,
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    text: () => JSON.stringify(records),
  }
}
