// Workers: how long the primary waits before replacing a worker that died. A worker that crashes soon after it
// started doubles the wait (a crash loop must not spin a core); one that served a while is replaced at once.

/** A worker that lived this long is considered healthy: its replacement starts after the first delay. */
export const HEALTHY_AFTER_MS = 10_000
export const FIRST_DELAY_MS = 100
export const MAX_DELAY_MS = 30_000

export interface Backoff {
  /** The worker of this slot died after `livedMs`: the delay before its replacement starts. */
  next(livedMs: number): number
}

export function createBackoff(): Backoff {
  let quickDeaths = 0
  return {
    next(livedMs) {
      quickDeaths = livedMs >= HEALTHY_AFTER_MS ? 0 : quickDeaths + 1
      return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** quickDeaths)
    },
  }
}
