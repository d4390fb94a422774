// Config: the workers key (src/workers/). More processes than cores only adds context switches; a cluster
// needs listen.inbound.port fixed, as several processes share it.
import { availableParallelism } from 'node:os'
import type { GatewayConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'

/** workers as a number of processes: 'auto' is one per core of this machine. */
export function workerCount(workers: GatewayConfig['workers']): number {
  return workers === 'auto' ? availableParallelism() : workers
}

export function checkWorkers(config: GatewayConfig, out: ProblemCollector): void {
  const cores = availableParallelism()
  if (typeof config.workers === 'number' && config.workers > cores) {
    out.warn('workers', `is ${config.workers} but this machine has ${cores} cores: the extra processes only share them`)
  }
}
