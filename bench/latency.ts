// Bench: the added-latency pass (issue 11). After the throughput pass has measured the bare proxy's req/s, the
// bare proxy and the rows with a p99 target (and their variants) are measured again, interleaved, each with a
// fresh process, at a fixed open-loop rate of half its best req/s (load/open-loop.ts): at saturation a closed-loop
// p99 only mirrors throughput (latency ≈ connections ÷ req/s), at half load it shows what the gateway adds.
import { compareLatency, type LatencyResult } from './judge.js'
import { measureRow, orderFor, type Sample } from './measure.js'
import { median } from './report.js'
import type { Row } from './rows.js'
import type { RunContext } from './targets.js'

export interface LatencyPass {
  rate: number
  samples: Sample[]
  results: LatencyResult[]
}

export async function runLatencyPass(
  rows: readonly Row[],
  ctx: RunContext,
  opts: { rate: number; repeats: number; durationSec: number; warmupSec: number; connections: number; throughput: readonly Sample[] },
  log: (line: string) => void,
): Promise<LatencyPass> {
  log(`added latency: open loop at ${opts.rate} req/s (half the bare proxy's best req/s above), ${opts.durationSec} s per row and repeat`)
  const samples = await measureOpenLoop(rows, ctx, opts, log)
  return { rate: opts.rate, samples, results: compareLatency(rows, samples, opts.rate, opts.throughput) }
}

/** Every row at the same open-loop rate, interleaved, a fresh process per row and repeat. */
export async function measureOpenLoop(
  rows: readonly Row[],
  ctx: RunContext,
  opts: { rate: number; repeats: number; durationSec: number; warmupSec: number; connections: number },
  log: (line: string) => void,
): Promise<Sample[]> {
  const samples: Sample[] = []
  for (let repeat = 0; repeat < opts.repeats; repeat++) {
    for (const row of orderFor(rows, repeat)) {
      const sample = await measureRow(row, ctx, { repeat, connections: opts.connections, durationSec: opts.durationSec, warmupSec: opts.warmupSec, rate: opts.rate })
      samples.push(sample)
      log(`  [${repeat + 1}/${opts.repeats}] ${row.id.padEnd(16)} ${sample.rps.toFixed(0).padStart(7)} req/s  p50 ${sample.p50Ms.toFixed(2).padStart(6)} ms  p99 ${sample.p99Ms.toFixed(2).padStart(6)} ms  ${sample.cpuUsPerRequest.toFixed(0).padStart(4)} µs CPU/req${sample.unexpected > 0 ? `  ${sample.unexpected} UNEXPECTED` : ''}`)
    }
  }
  return samples
}

const f = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')
const lag = (samples: readonly Sample[]): string => f(median(samples.map((s) => s.loadLagP99Ms ?? NaN)))

/** The pass's rows for the "Latest run" section: every repeat's p99, then the paired difference. */
export function latencyMarkdown(pass: LatencyPass): string {
  const bare = pass.samples.filter((s) => s.row === 'bare')
  const lines = [
    `Added latency, open loop at ${pass.rate} req/s (half the bare proxy's best req/s above), median of same-repeat pairs:`,
    '',
    '| row | p50 ms | p99 ms (each repeat) | p99 − bare ms | CPU µs/req | others on its CPU | generator late, p99 ms | target |',
    '|---|--:|--:|--:|--:|--:|--:|---|',
    `| bare | ${f(median(bare.map((s) => s.p50Ms)))} | ${bare.map((s) => f(s.p99Ms)).join(', ')} |  | ${f(median(bare.map((s) => s.cpuUsPerRequest)), 0)} | ${f(median(bare.map((s) => s.foreignCpuShare)) * 100, 0)}% | ${lag(bare)} |  |`,
  ]
  for (const r of pass.results) {
    const each = pass.samples.filter((s) => s.row === r.row).map((s) => f(s.p99Ms)).join(', ')
    const over = r.overloaded === undefined ? '' : ` (overloaded: ${f(r.overloaded.cpuShare * 100, 0)}% of its CPU)`
    const target = r.maxDeltaMs === undefined ? '' : `≤ +${r.maxDeltaMs} ms: ${r.met === true ? 'met' : r.met === false ? '**MISSED**' : 'not judged'}${over}`
    const delta = `${r.deltaMs >= 0 ? '+' : ''}${f(r.deltaMs)}${r.disturbed > 0 ? ` (${r.disturbed} disturbed pairs left out)` : ''}`
    lines.push(`| ${r.row} | ${f(r.p50Ms)} | ${each} | ${delta} | ${f(r.cpuUsPerRequest, 0)} | ${f(r.foreignCpuShare * 100, 0)}% | ${lag(pass.samples.filter((x) => x.row === r.row))} | ${target} |`)
  }
  return lines.join('\n')
}

/** Other processes on the proxy's CPU during the open-loop windows: a preempted proxy shows up in p99 at once. */
export function latencyNoise(pass: LatencyPass): string {
  const shares = pass.samples.map((s) => s.foreignCpuShare).filter((x) => Number.isFinite(x))
  if (shares.length === 0) return ''
  return `During the open-loop windows: median ${f(median(shares) * 100, 0)}%, worst ${f(Math.max(...shares) * 100, 0)}%.`
}
