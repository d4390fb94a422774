// Workers: the primary's role in `serve` when workers is above 1. It serves the admin listener only, owns the
// configuration (reloads are validated here once) and the partner metadata (broker.ts), and supervises the workers.
import type { Logger as PinoLogger } from 'pino'
import type { GatewayDeps } from '../lifecycle/index.js'
import { workerCount } from '../config/index.js'
import type { GatewayConfig } from '../schema/index.js'
import type { ListenerSet, RunningGateway } from '../lifecycle/index.js'
import { createMetadataBroker } from './broker.js'
import { aggregateScrape, processSeries, workerRestartsCounter } from './metrics.js'
import { mergeShares } from './status.js'
import { createSupervisor, type Supervisor } from './supervisor.js'

/** How `serve` (main.ts) runs the primary: which listeners it opens, what it adds to the gateway, start and stop. */
export interface PrimaryRole {
  listeners: ListenerSet
  deps: Pick<GatewayDeps, 'fetchDocument' | 'workers'>
  /** The admin listener is up: fork the workers. */
  started(running: RunningGateway, logger: PinoLogger): void
  /** Drain every worker; the caller then closes the admin listener. */
  stop(): Promise<void>
}

/** undefined for workers: 1 (one process serves everything, as always). */
export function primaryRole(config: GatewayConfig): PrimaryRole | undefined {
  const count = workerCount(config.workers)
  if (count <= 1) return undefined
  const broker = createMetadataBroker()
  let supervisor: Supervisor | undefined
  let running: RunningGateway | undefined
  let log: PinoLogger | undefined
  return {
    listeners: 'admin',
    deps: {
      fetchDocument: broker.fetchDocument,
      workers: {
        reloaded(next) {
          if (workerCount(next.workers) !== count) log?.warn({ workers: count, configured: next.workers }, 'workers changed: takes effect only after a restart')
          return supervisor?.reloaded(next) ?? Promise.resolve()
        },
        async scrape() {
          const registry = running?.gateway.metrics.registry
          if (registry === undefined || supervisor === undefined) throw new Error('not started')
          const [own, workers] = await Promise.all([processSeries(registry), supervisor.metrics()])
          return aggregateScrape(own, workers)
        },
        async traffic(minutes) {
          return mergeShares((await supervisor?.status()) ?? [], minutes)
        },
      },
    },
    started(started, logger) {
      running = started
      log = logger.child({ component: 'workers' })
      const { gateway } = started
      broker.attach(gateway.holder)
      supervisor = createSupervisor({
        count, broker, logger: log, restarts: workerRestartsCounter(gateway.metrics.registry),
        config: () => gateway.holder.current.config,
        readiness: (ready) => {
          gateway.state.ready = ready
        },
      })
      log.info({ workers: count }, 'starting workers')
      supervisor.start()
    },
    async stop() {
      if (running !== undefined) running.gateway.state.draining = true
      await supervisor?.stop()
    },
  }
}
