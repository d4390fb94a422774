// Workers: the primary's side of node:cluster. Forks the workers with the configuration it validated, replaces
// one that dies (with backoff, counted and logged), answers their metadata questions (broker.ts), hands each
// accepted reload to all of them, gathers their metrics, and drains them all on stop.
import cluster, { type Worker } from 'node:cluster'
import type { Logger as PinoLogger } from 'pino'
import type { Counter } from 'prom-client'
import type { GatewayConfig } from '../schema/index.js'
import { createBackoff, type Backoff } from './backoff.js'
import type { MetadataBroker } from './broker.js'
import { isWorkerMessage, type MetricsJson, type PrimaryMessage, type StatusShare, type WorkerMessage } from './messages.js'

/** A worker that does not confirm a reload (or answer a scrape) this long after it was asked is replaced (skipped). */
const ANSWER_TIMEOUT_MS = 10_000
/** After shutdown.drainTimeoutMs, a worker still draining gets this long before it is killed. */
const KILL_MARGIN_MS = 2_000

interface Slot {
  worker: Worker | undefined
  ready: boolean
  startedAt: number
  backoff: Backoff
  restart: NodeJS.Timeout | undefined
}

export interface SupervisorDeps {
  count: number
  config: () => GatewayConfig
  broker: MetadataBroker
  logger: PinoLogger
  restarts: Counter
  /** Called whenever readiness may have changed: true when every worker is serving. */
  readiness: (ready: boolean) => void
}

export interface Supervisor {
  start(): void
  /** Hand an accepted configuration to every worker; resolves when each has switched (or was replaced). */
  reloaded(config: GatewayConfig): Promise<void>
  /** Every live worker's series, for GET /metrics. */
  metrics(): Promise<MetricsJson[]>
  /** Every live worker's traffic counts, for /status and /status.json. */
  status(): Promise<StatusShare[]>
  /** Drain every worker (each within shutdown.drainTimeoutMs), then resolve. No restarts from here on. */
  stop(): Promise<void>
}

export function createSupervisor(deps: SupervisorDeps): Supervisor {
  const { logger } = deps
  const slots: Slot[] = Array.from({ length: deps.count }, () => ({ worker: undefined, ready: false, startedAt: 0, backoff: createBackoff(), restart: undefined }))
  const waiting = new Map<number, { worker: Worker; done: (reply: WorkerMessage | undefined) => void }>()
  let ids = 0
  let stopping = false
  const report = (): void => deps.readiness(!stopping && slots.every((s) => s.ready))

  const send = (worker: Worker, message: PrimaryMessage): boolean => {
    if (!worker.isConnected()) return false
    try {
      worker.send(message)
      return true
    } catch {
      return false // it is going away; its 'exit' handles the rest
    }
  }

  /** Ask one worker; resolves with its answer, or undefined when it exits or does not answer in time. */
  const ask = (worker: Worker, message: (id: number) => PrimaryMessage): Promise<WorkerMessage | undefined> => {
    const id = (ids += 1)
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), ANSWER_TIMEOUT_MS)
      const done = (reply: WorkerMessage | undefined): void => {
        clearTimeout(timer)
        waiting.delete(id)
        resolve(reply)
      }
      waiting.set(id, { worker, done })
      if (!send(worker, message(id))) done(undefined)
    })
  }

  function onMessage(slot: Slot, worker: Worker, message: unknown): void {
    if (!isWorkerMessage(message)) return
    switch (message.t) {
      case 's2s:hello':
        return void send(worker, { t: 's2s:config', config: deps.config() })
      case 's2s:ready':
        slot.ready = true
        logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker serving')
        return report()
      case 's2s:fetch':
        return void deps.broker.answer(message.url, message.have, message.onDemand)
          .catch((err: unknown) => {
            logger.error({ err }, 'metadata question of a worker failed')
            return { ok: false as const, reason: 'network' as const, message: 'the primary could not answer' }
          })
          .then((answer) => send(worker, { t: 's2s:fetched', id: message.id, answer }))
      case 's2s:reloaded':
      case 's2s:metrics':
      case 's2s:status':
        return waiting.get(message.id)?.done(message)
    }
  }

  function fork(slot: Slot): void {
    slot.restart = undefined
    const worker = cluster.fork()
    Object.assign(slot, { worker, ready: false, startedAt: Date.now() })
    worker.on('message', (message: unknown) => onMessage(slot, worker, message))
    worker.on('exit', (code, signal) => {
      for (const [, pending] of waiting) if (pending.worker === worker) pending.done(undefined)
      if (slot.worker === worker) Object.assign(slot, { worker: undefined, ready: false })
      report()
      if (stopping) return
      const delayMs = slot.backoff.next(Date.now() - slot.startedAt)
      deps.restarts.inc()
      logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delayMs }, 'worker died; replacing it')
      slot.restart = setTimeout(() => fork(slot), delayMs)
    })
  }

  const live = (): Worker[] => slots.flatMap((s) => (s.worker === undefined ? [] : [s.worker]))

  return {
    start() {
      // Structured clone: the configuration reaches the workers as the primary validated it.
      cluster.setupPrimary({ serialization: 'advanced' })
      for (const slot of slots) fork(slot)
    },
    async reloaded(config) {
      await Promise.all(live().map(async (worker) => {
        const reply = await ask(worker, (id) => ({ t: 's2s:reload', id, config }))
        if (reply?.t === 's2s:reloaded' && reply.ok) return
        // Its replacement starts with the configuration now in use.
        if (worker.isDead()) return
        logger.error({ worker: worker.id, error: reply?.t === 's2s:reloaded' ? reply.error : 'no answer' }, 'worker did not take the new configuration; replacing it')
        worker.process.kill('SIGKILL')
      }))
    },
    async metrics() {
      const replies = await Promise.all(live().map((worker) => ask(worker, (id) => ({ t: 's2s:metrics', id }))))
      return replies.flatMap((reply) => (reply?.t === 's2s:metrics' ? [reply.metrics] : []))
    },
    async status() {
      const replies = await Promise.all(live().map((worker) => ask(worker, (id) => ({ t: 's2s:status', id }))))
      return replies.flatMap((reply) => (reply?.t === 's2s:status' ? [reply.share] : []))
    },
    async stop() {
      stopping = true
      report()
      for (const slot of slots) clearTimeout(slot.restart)
      const workers = live()
      const exited = workers.map((worker) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))))
      for (const worker of workers) send(worker, { t: 's2s:drain' })
      const kill = setTimeout(() => {
        for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL')
      }, deps.config().shutdown.drainTimeoutMs + KILL_MARGIN_MS)
      await Promise.all(exited)
      clearTimeout(kill)
    },
  }
}
