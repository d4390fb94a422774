// Workers: one worker process. It takes the configuration the primary validated, serves the request listeners
// (inbound, outbound) on the sockets node:cluster shares, asks the primary for partner metadata (remote-fetch.ts),
// switches configuration when the primary says so, and drains when told (or when the primary is gone).
import cluster from 'node:cluster'
import type { DestinationStream, Logger as PinoLogger } from 'pino'
import type { GatewayConfig } from '../schema/index.js'
import { createLogger } from '../log/index.js'
import { startGateway, type RunningGateway } from '../lifecycle/index.js'
import { isPrimaryMessage, type PrimaryMessage, type WorkerMessage } from './messages.js'
import { processSeries } from './metrics.js'
import { statusShare } from './status.js'
import { createRemoteFetch } from './remote-fetch.js'

export interface WorkerSignals {
  on(signal: 'SIGHUP' | 'SIGTERM' | 'SIGINT', listener: () => void): unknown
}

const send = (message: WorkerMessage): void => {
  if (process.connected) process.send?.(message)
}

/** The first message: the configuration to serve. */
function receiveConfig(): Promise<GatewayConfig> {
  return new Promise((resolve) => {
    const listener = (message: unknown): void => {
      if (!isPrimaryMessage(message) || message.t !== 's2s:config') return
      process.off('message', listener)
      resolve(message.config)
    }
    process.on('message', listener)
    send({ t: 's2s:hello' })
  })
}

/**
 * The configuration a worker serves: as the primary validated it, except that the refetch cooldown is the
 * primary's alone. A worker that spent a budget of its own on an ask the primary refused from its cooldown would
 * otherwise miss a rotation the primary could already fetch (up to two cooldowns, not one). Workers still
 * coalesce concurrent misses (single-flight); Retry-After on 503 for a partner without keys is then 1 s.
 */
export function workerConfig(config: GatewayConfig): GatewayConfig {
  return { ...config, metadata: { ...config.metadata, refetchCooldownSec: 0 } }
}

export async function serveWorker(logDestination?: DestinationStream, signals: WorkerSignals = process): Promise<{ running: RunningGateway; logger: PinoLogger }> {
  const config = await receiveConfig()
  const logger = createLogger(config.logging.level, logDestination, config.logging).child({ worker: cluster.worker?.id })
  const remote = createRemoteFetch(send)
  // Messages may arrive while the listeners start (metadata answers for the warm-up): listen first.
  let running: RunningGateway | undefined
  let draining: Promise<void> | undefined
  const drain = (why: string): void => {
    if (draining !== undefined) return
    logger.info({ why }, 'worker draining in-flight requests before exit')
    draining = (running?.close() ?? Promise.resolve()).finally(() => process.exit(0))
  }
  process.on('message', (message: unknown) => {
    if (isPrimaryMessage(message)) handle(message).catch((err: unknown) => logger.error({ err }, 'worker could not handle a message of the primary'))
  })
  async function handle(message: PrimaryMessage): Promise<void> {
    switch (message.t) {
      case 's2s:fetched':
        return remote.settle(message)
      case 's2s:reload':
        try {
          running?.gateway.reload(workerConfig(message.config))
          return send({ t: 's2s:reloaded', id: message.id, ok: true })
        } catch (err) {
          return send({ t: 's2s:reloaded', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) })
        }
      case 's2s:metrics':
        return send({ t: 's2s:metrics', id: message.id, metrics: running === undefined ? [] : await processSeries(running.gateway.metrics.registry) })
      case 's2s:status':
        return send({ t: 's2s:status', id: message.id, share: running === undefined ? {} : statusShare(running) })
      case 's2s:drain':
        return drain('asked by the primary')
      case 's2s:config':
        return
    }
  }
  // The primary reloads (SIGHUP reaches workers too when sent to the whole process group: ignored here).
  signals.on('SIGHUP', () => logger.debug({}, 'SIGHUP ignored by a worker: the primary reloads'))
  signals.on('SIGTERM', () => drain('SIGTERM'))
  signals.on('SIGINT', () => drain('SIGINT'))
  process.on('disconnect', () => drain('the primary process is gone'))
  running = await startGateway(workerConfig(config), { logger, fetchDocument: remote.fetchDocument }, 'requests')
  logger.info({ inbound: running.inboundUrl, outbound: running.outboundUrl }, 'worker listening')
  send({ t: 's2s:ready' })
  return { running, logger }
}
