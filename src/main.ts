// Entry point for `s2s-gateway serve`: reads config, starts the gateway, reloads on SIGHUP (and file changes
// with --watch), drains on SIGTERM. Nothing else. A bad reload is logged with every problem, counted, and the
// old configuration keeps serving (lifecycle/build-gateway.ts, config/reload.ts).
import type { DestinationStream, Logger as PinoLogger } from 'pino'
import { watchConfigFile, type ConfigWatcher } from './config/index.js'
import { loadConfigFile } from './config/index.js'
import type { GatewayConfig } from './schema/index.js'
import { buildInfo } from './build-info.js'
import { createLogger } from './log/index.js'
import { startGateway, type RunningGateway } from './lifecycle/index.js'
import { isWorkerProcess, primaryRole, serveWorker } from './workers/index.js'

export interface ServeOptions {
  configPath: string
  env?: Record<string, string | undefined>
  /** Reload when the configuration file changes (`serve --watch`). Default false. */
  watch?: boolean
  /** Where logs go (tests); default stdout. */
  logDestination?: DestinationStream
}

/** A started gateway with its file watcher, before any process signal is wired (tests use this directly). */
export interface Serving {
  running: RunningGateway
  logger: PinoLogger
  /** Stop watching, drain in-flight requests, close. */
  close(): Promise<void>
}

/** Minimal process surface serve() needs, so tests can drive the signal wiring with an EventEmitter. */
export interface SignalSource {
  on(signal: 'SIGHUP', listener: () => void): unknown
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown
}

function tlsFilesOf(config: GatewayConfig): string[] {
  const tls = config.listen.inbound.tls
  return tls === undefined ? [] : [tls.cert, tls.key]
}

function logWarnings(logger: PinoLogger, warnings: readonly string[]): void {
  for (const warning of warnings) logger.warn({ configWarning: warning }, 'configuration warning')
}

/** Reload from the same file; refuse (and keep serving) on any problem. Returns true when swapped in. */
export function reloadFromFile(running: RunningGateway): boolean {
  return running.gateway.reloadFromSource('signal').result === 'success'
}

export async function startServing(opts: ServeOptions): Promise<Serving> {
  const load = () => loadConfigFile(opts.configPath, { env: opts.env ?? process.env })
  const { config, warnings } = load()
  const role = primaryRole(config) // workers above 1: this process is the primary (src/workers/)
  // The primary of several workers serves no request: its few lines (a worker died, a reload) are written at once.
  const logger = createLogger(config.logging.level, opts.logDestination, { ...config.logging, bufferBytes: role === undefined ? config.logging.bufferBytes : 0 })
  logWarnings(logger, warnings)
  const running = await startGateway(config, { logger, loadConfig: load, ...role?.deps }, role?.listeners)
  role?.started(running, logger)
  const { version, commit } = buildInfo()
  logger.info({ version, commit, inbound: running.inboundUrl, admin: running.adminUrl, outbound: running.outboundUrl, forwardAuth: running.forwardAuthUrl, forwardOnly: running.gateway.holder.current.forwardOnly || undefined, metadata: config.service.metadataUrl }, 's2s-gateway listening')
  let watcher: ConfigWatcher | undefined
  if (opts.watch === true) {
    watcher = watchConfigFile(opts.configPath, {
      log: logger,
      onChange: () => running.gateway.reloadFromSource('watch'),
      // A renewed TLS certificate reloads too (the configuration in use names the files).
      alsoWatch: () => tlsFilesOf(running.gateway.holder.current.config),
    })
  }
  return {
    running,
    logger,
    async close() {
      watcher?.close()
      await role?.stop()
      await running.close()
    },
  }
}

/** serve(): startServing plus SIGHUP (reload) and SIGTERM/SIGINT (drain, then let the process end). */
export async function serve(opts: ServeOptions, signals: SignalSource = process): Promise<Serving> {
  if (isWorkerProcess()) {
    const { running, logger } = await serveWorker(opts.logDestination) // wires its own signals; exits when drained
    return { running, logger, close: () => running.close() }
  }
  const serving = await startServing(opts)
  const { logger } = serving
  signals.on('SIGHUP', () => reloadFromFile(serving.running))
  const stop = (signal: string): void => {
    logger.info({ signal }, 'draining in-flight requests before exit')
    void serving.close().then(() => logger.info({}, 'stopped'))
  }
  signals.once('SIGTERM', () => stop('SIGTERM'))
  signals.once('SIGINT', () => stop('SIGINT'))
  return serving
}
