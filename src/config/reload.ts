// Config: reloads (SIGHUP, POST /reload, serve --watch). The file is loaded and validated first;
// a refused file is logged with every problem and counted, and the running configuration keeps serving.
import type { Logger as PinoLogger } from 'pino'
import type { LoadedConfig } from './load.js'
import { ConfigError, type ConfigProblem } from './problems.js'
import type { GatewayConfig } from '../schema/index.js'
import { describeChanges } from './config-changes.js'

export type ReloadTrigger = 'signal' | 'http' | 'watch' | 'api'

export type ReloadOutcome =
  | { result: 'success'; partners: string[]; warnings: string[] }
  | { result: 'failure'; problems: ConfigProblem[] }
  /** The gateway was built without a configuration source (no file to read again). */
  | { result: 'unavailable' }

/** What /status and /readyz show about the configuration in use. */
export interface ReloadStatus {
  /** When the configuration in use was loaded, epoch ms. */
  loadedAt: number
  successes: number
  failures: number
  last: { at: number; trigger: ReloadTrigger; result: 'success' | 'failure'; problems: number } | undefined
}

export interface ReloadDeps {
  logger: PinoLogger
  now: () => number
  /** Reads and validates the configuration source again; throws ConfigError. */
  load: (() => LoadedConfig) | undefined
  current: () => GatewayConfig
  /** Build and swap in the runtime for `next`; throws when that fails (a certificate file gone since). */
  swap: (next: GatewayConfig) => void
  /** Metrics: s2s_gateway_config_reloads_total and the last-success timestamp. */
  counted: (result: 'success' | 'failure', atMs: number) => void
  /** Metrics: the start-up load sets the last-success timestamp (as Prometheus does) without counting a reload. */
  loaded: (atMs: number) => void
}

export interface ReloadControl {
  /** Swap in an already validated configuration (tests, embedding). Throws when the runtime cannot be built. */
  apply(next: GatewayConfig, trigger?: ReloadTrigger): void
  /** Load the source again, validate, swap. Never throws. */
  fromSource(trigger: ReloadTrigger): ReloadOutcome
  status(): ReloadStatus
}

function problemsOf(err: unknown): ConfigProblem[] {
  if (err instanceof ConfigError) return err.problems
  return [{ path: '', message: err instanceof Error ? err.message : String(err) }]
}

export function createReloadControl(deps: ReloadDeps): ReloadControl {
  const { logger, now } = deps
  const status: ReloadStatus = { loadedAt: now(), successes: 0, failures: 0, last: undefined }
  deps.loaded(status.loadedAt)

  function refuse(trigger: ReloadTrigger, problems: ConfigProblem[]): ReloadOutcome {
    const at = now()
    status.failures += 1
    status.last = { at, trigger, result: 'failure', problems: problems.length }
    deps.counted('failure', at)
    logger.error({ trigger, problems }, 'configuration reload refused; the previous configuration keeps serving')
    return { result: 'failure', problems }
  }

  function apply(next: GatewayConfig, trigger: ReloadTrigger = 'api'): void {
    const before = deps.current()
    deps.swap(next)
    const at = now()
    Object.assign(status, { loadedAt: at, successes: status.successes + 1, last: { at, trigger, result: 'success', problems: 0 } })
    deps.counted('success', at)
    const changes = describeChanges(before, next)
    if (changes.listenChanged) logger.warn({ trigger }, 'listen addresses changed: they take effect only after a restart')
    logger.info({ trigger, partners: next.partners.map((p) => p.name), ...changes.partners, ...(changes.accessChanged ? { accessChanged: true } : {}) }, 'configuration reloaded')
  }

  return {
    apply,
    fromSource(trigger) {
      if (deps.load === undefined) return { result: 'unavailable' }
      let loaded: LoadedConfig
      try {
        loaded = deps.load()
      } catch (err) {
        return refuse(trigger, problemsOf(err))
      }
      for (const warning of loaded.warnings) logger.warn({ configWarning: warning }, 'configuration warning')
      try {
        apply(loaded.config, trigger)
      } catch (err) {
        return refuse(trigger, problemsOf(err))
      }
      return { result: 'success', partners: loaded.config.partners.map((p) => p.name), warnings: loaded.warnings }
    },
    status: () => ({ ...status, ...(status.last === undefined ? {} : { last: { ...status.last } }) }),
  }
}
