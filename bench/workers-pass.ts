// Bench: the workers pass (issue 12). `workers: 2` must cost at most 1.1× the CPU per request of one process, all
// processes counted (primary and workers). At saturation on a machine with fewer proxy CPUs than workers, two busy
// workers time-share one core and the figure measures that (run queues, cache refills), not the cluster machinery.
// So the pairs are judged here, open loop at one fixed rate that every row of the pass sustains: half the best
// req/s the slowest single-process row reached in the throughput pass. Rows are interleaved, fresh processes, and
// each is warmed for as long per worker as a single process is (the JIT warms each worker on its own).
import type { Sample } from './measure.js'
import { measureOpenLoop } from './latency.js'
import { comparePairs, WORKER_PAIRS, type PairResult } from './pairs.js'
import type { Row } from './rows.js'
import type { RunContext } from './targets.js'

export interface WorkersPass {
  rate: number
  samples: Sample[]
  pairs: PairResult[]
}

/** The pass's rows: each w2 row with the single-process row it is judged against, when both ran. */
export function workersPassRows(rows: readonly Row[]): Row[] {
  const ids = new Set(rows.map((r) => r.id))
  const wanted = new Set(WORKER_PAIRS.filter((p) => ids.has(p.row) && ids.has(p.against)).flatMap((p) => [p.row, p.against]))
  return rows.filter((r) => wanted.has(r.id))
}

/** Half the best req/s of the slowest single-process row of the pass, rounded to 10. */
export function workersPassRate(rows: readonly Row[], samples: readonly Sample[]): number | undefined {
  const singles = WORKER_PAIRS.map((p) => p.against).filter((id) => rows.some((r) => r.id === id))
  const best = singles.map((id) => Math.max(...samples.filter((s) => s.row === id).map((s) => s.rps)))
  const slowest = Math.min(...best)
  if (!(slowest > 0 && Number.isFinite(slowest))) return undefined
  return Math.max(10, Math.round(slowest / 2 / 10) * 10)
}

export async function runWorkersPass(
  rows: readonly Row[],
  ctx: RunContext,
  opts: { rate: number; repeats: number; durationSec: number; warmupSec: number; connections: number },
  log: (line: string) => void,
): Promise<WorkersPass> {
  log(`workers: open loop at ${opts.rate} req/s (half the slowest single-process row's best req/s above), ${opts.durationSec} s per row and repeat`)
  const samples = await measureOpenLoop(rows, ctx, opts, log)
  return { rate: opts.rate, samples, pairs: comparePairs(samples, WORKER_PAIRS) }
}
