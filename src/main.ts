// Entry point for `s2s-gateway serve`: reads config, starts the gateway, reloads on SIGHUP, drains on SIGTERM.
// Nothing else. A bad reload is logged with every problem and the old configuration keeps serving.
import type { Logger as PinoLogger } from 'pino'
import { ConfigError, loadConfigFile } from './config/index.js'
import type { GatewayConfig } from './config/types.js'
import { createLogger } from './logger.js'
import { startGateway, type RunningGateway } from './server.js'

export interface ServeOptions {
  configPath: string
  env?: Record<string, string | undefined>
}

function logWarnings(logger: PinoLogger, warnings: readonly string[]): void {
  for (const warning of warnings) logger.warn({ configWarning: warning }, 'configuration warning')
}

/** Reload from the same file; refuse (and keep serving) on any problem. Returns true when swapped in. */
export function reloadFromFile(running: RunningGateway, opts: ServeOptions, logger: PinoLogger): boolean {
  let next: GatewayConfig
  try {
    const loaded = loadConfigFile(opts.configPath, { env: opts.env ?? process.env })
    logWarnings(logger, loaded.warnings)
    next = loaded.config
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [{ path: '', message: String(err) }]
    logger.error({ problems }, 'configuration reload refused; the previous configuration keeps serving')
    return false
  }
  const before = running.gateway.holder.current.config.listen
  if (JSON.stringify(before) !== JSON.stringify(next.listen)) {
    logger.warn({}, 'listen addresses changed: they take effect only after a restart')
  }
  running.gateway.reload(next)
  logger.info({ partners: next.partners.map((p) => p.name) }, 'configuration reloaded')
  return true
}

export async function serve(opts: ServeOptions): Promise<void> {
  const { config, warnings } = loadConfigFile(opts.configPath, { env: opts.env ?? process.env })
  const logger = createLogger(config.logging.level)
  logWarnings(logger, warnings)
  const running = await startGateway(config, { logger })
  logger.info({ inbound: running.inboundUrl, admin: running.adminUrl, metadata: config.service.metadataUrl }, 's2s-gateway listening')

  process.on('SIGHUP', () => reloadFromFile(running, opts, logger))
  const stop = (signal: string): void => {
    logger.info({ signal }, 'draining in-flight requests before exit')
    void running.close().then(() => logger.info({}, 'stopped'))
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}
