// Who we trust: when the next background metadata refresh of a partner runs: the refresh interval with
// jitter after a success, exponential backoff after failures. Used by partner.ts; the numbers are options of the
// metadata section (schema/schema.ts).
import type { GatewayConfig } from '../schema/index.js'

/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * refreshIntervalSec ± refreshJitterPercent, so partners registered together do not fetch in lockstep; `random`
 * returns [0, 1) like Math.random.
 */
export function refreshDelayMs(metadata: Pick<GatewayConfig['metadata'], 'refreshIntervalSec' | 'refreshJitterPercent'>, random: () => number): number {
  const factor = 1 + (random() * 2 - 1) * (metadata.refreshJitterPercent / 100)
  return Math.round(metadata.refreshIntervalSec * 1000 * factor)
}

/** Backoff after `failures` consecutive failures (>= 1): min(firstRetryMs, interval) doubling, capped at the interval. */
export function retryDelayMs(metadata: Pick<GatewayConfig['metadata'], 'refreshIntervalSec' | 'firstRetryMs'>, failures: number): number {
  const intervalMs = metadata.refreshIntervalSec * 1000
  const first = Math.min(metadata.firstRetryMs, intervalMs)
  const doublings = Math.min(Math.max(failures - 1, 0), 40)
  return Math.min(first * 2 ** doublings, intervalMs)
}

/** One unref'ed timer that can be re-armed; reports when it is due for Retry-After. */
export interface RefreshTimer {
  arm(delayMs: number, run: () => void): void
  /** Epoch ms when the armed timer fires, else undefined. */
  dueAt(): number | undefined
  clear(): void
}

export function createRefreshTimer(now: () => number): RefreshTimer {
  let handle: NodeJS.Timeout | undefined
  let due: number | undefined
  const clear = (): void => {
    if (handle !== undefined) clearTimeout(handle)
    handle = undefined
    due = undefined
  }
  return {
    arm(delayMs, run) {
      clear()
      const delay = Math.min(Math.max(delayMs, 0), MAX_TIMER_MS)
      due = now() + delay
      handle = setTimeout(() => {
        handle = undefined
        due = undefined
        run()
      }, delay)
      handle.unref() // a refresh must never keep the process alive
    },
    dueAt: () => due,
    clear,
  }
}
