// Bench: the arithmetic of the open-loop load generator (load/open-loop.ts), kept pure so it can be tested.
// Requests are due at a fixed rate from the start of the window, whatever the answers do; latency is counted
// from the moment a request was due, so time spent queued behind a slow target counts (no coordinated omission).

/** How many requests are due `elapsedMs` into a window at `ratePerSec` (the first one at 0). */
export function dueBy(elapsedMs: number, ratePerSec: number): number {
  if (!(elapsedMs >= 0) || !(ratePerSec > 0)) return 0
  return Math.floor((elapsedMs * ratePerSec) / 1000) + 1
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

export interface LatencySummary {
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

/** Percentiles, max and mean of latencies (any unit, returned in the same). */
export function summariseLatencies(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort()
  const list = Array.from(sorted)
  const sum = list.reduce((a, b) => a + b, 0)
  return {
    p50: percentile(list, 50),
    p90: percentile(list, 90),
    p99: percentile(list, 99),
    max: list.length === 0 ? NaN : (list[list.length - 1] as number),
    mean: list.length === 0 ? NaN : sum / list.length,
  }
}
