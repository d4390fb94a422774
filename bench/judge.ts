// Bench: issue 11's target table, judged from one run. Throughput targets judge capacity (the reference's CPU µs
// per request ÷ the row's, paired per repeat): on a shared 2-core machine another process on the proxy's CPU
// lowers its req/s in proportion, its CPU per request much less. The added-latency target judges an open-loop pass at half the
// bare proxy's req/s (latency.ts): each repeat's p99 minus bare's p99 of the same repeat, median of the pairs.
import type { Sample } from './measure.js'
import { median, type RowSummary } from './report.js'
import type { Row } from './rows.js'

/** The row a derived row (variant `~`, build `+`, baseline `@`) was made from: `app-warm@1a2b3c4` → `app-warm`. */
export function baseId(id: string): string {
  return id.split(/[~+@]/)[0] as string
}

/**
 * Share of the bare proxy's capacity in req/s sent in the added-latency pass, rounded to 10/s. Capacity is the best
 * req/s of its throughput repeats: noise only ever lowers a window's req/s (another process took the CPU), so the
 * highest window is the closest to what the bare proxy can do.
 */
export function latencyRate(samples: readonly Sample[], share = 0.5): number | undefined {
  const rps = Math.max(...samples.filter((s) => s.row === 'bare').map((s) => s.rps))
  if (!(rps > 0 && Number.isFinite(rps))) return undefined
  return Math.max(10, Math.round((rps * share) / 10) * 10)
}

/** Rows of the added-latency pass: the bare proxy, rows with a p99 target, and the variants of those rows. */
export function latencyRows(rows: readonly Row[], all: readonly Row[]): Row[] {
  const judged = new Set(all.filter((r) => r.target?.maxP99DeltaMs !== undefined).map((r) => r.id))
  return rows.filter((r) => r.id === 'bare' || judged.has(baseId(r.id)))
}

/**
 * When an added-latency pair was disturbed, so that it compares other processes rather than what the gateway adds:
 * the bare window's median latency above `bareP50Ms` (at half its capacity the bare proxy answers in well under a
 * millisecond: it was backed up), other processes taking more than `foreignShare` of the proxy's CPU in either
 * window, or the load generator sending its requests more than `loadLagP99Ms` late (p99) in either window (its own
 * CPU was taken; its 1 ms timer alone makes requests up to a tick or two late). Disturbed pairs are left out of the verdict and counted.
 */
export const DISTURBED = { bareP50Ms: 2, foreignShare: 0.1, loadLagP99Ms: 5 }

export function disturbed(bare: Sample, row: Sample): boolean {
  const busy = (s: Sample): boolean => s.foreignCpuShare > DISTURBED.foreignShare || (s.loadLagP99Ms ?? 0) > DISTURBED.loadLagP99Ms
  return !(bare.p50Ms <= DISTURBED.bareP50Ms) || busy(bare) || busy(row)
}

/**
 * The open-loop rate is more than the row's one process can serve: even at its least CPU per request in the
 * throughput pass (where batching makes a request cheapest) `rate` requests need a whole CPU or more each second.
 * Its queue then grows for as long as the window lasts, so its p99 misses any bound, disturbed or not. Returns that
 * share of a CPU, or undefined when the rate fits (or the row had no throughput window).
 */
export function overload(rate: number, throughput: readonly Sample[], row: string): { cpuShare: number; cpuUsPerRequest: number } | undefined {
  const cpuUsPerRequest = Math.min(...throughput.filter((s) => s.row === row && s.cpuUsPerRequest > 0).map((s) => s.cpuUsPerRequest))
  const cpuShare = (rate * cpuUsPerRequest) / 1e6
  return Number.isFinite(cpuShare) && cpuShare >= 1 ? { cpuShare, cpuUsPerRequest } : undefined
}

export interface LatencyResult {
  row: string
  /** Requests per second sent, open loop. */
  rate: number
  p50Ms: number
  p99Ms: number
  bareP99Ms: number
  /** Median of the same-repeat differences row p99 − bare p99, undisturbed pairs only. */
  deltaMs: number
  deltas: number[]
  /** Pairs left out as disturbed (disturbed()). */
  disturbed: number
  cpuUsPerRequest: number
  /** Unexpected answers (wrong status, errors, timeouts) in the kept pairs, both windows. */
  unexpected: number
  foreignCpuShare: number
  maxDeltaMs: number | undefined
  /** Set when the rate is beyond the row's capacity (overload()): then the target is missed whatever the pairs say. */
  overloaded: { cpuShare: number; cpuUsPerRequest: number } | undefined
  met: boolean | undefined
}

/** `throughput`: the closed-loop samples of the same run, for overload(); without them no row counts as overloaded. */
export function compareLatency(rows: readonly Row[], samples: readonly Sample[], rate: number, throughput: readonly Sample[] = []): LatencyResult[] {
  const bare = samples.filter((s) => s.row === 'bare')
  return rows
    .filter((row) => row.id !== 'bare' && samples.some((s) => s.row === row.id))
    .map((row) => {
      const mine = samples.filter((s) => s.row === row.id)
      const pairs = mine.flatMap((s) => {
        const b = bare.find((x) => x.repeat === s.repeat)
        return b === undefined ? [] : [{ delta: s.p99Ms - b.p99Ms, disturbed: disturbed(b, s), unexpected: s.unexpected + b.unexpected }]
      })
      const kept = pairs.filter((p) => !p.disturbed)
      const deltas = kept.map((p) => p.delta)
      const deltaMs = median(deltas)
      // Answers still missing when a backed-up window's drain ran out are part of the disturbance: only the kept
      // pairs' unexpected answers judge (a wrong status shows in every window, kept ones included).
      const unexpected = kept.reduce((n, p) => n + p.unexpected, 0)
      const maxDeltaMs = row.target?.maxP99DeltaMs
      const overloaded = overload(rate, throughput, row.id)
      const judged = deltas.length === 0 ? undefined : unexpected === 0 && deltaMs <= (maxDeltaMs ?? Infinity)
      return {
        row: row.id,
        rate,
        p50Ms: median(mine.map((s) => s.p50Ms)),
        p99Ms: median(mine.map((s) => s.p99Ms)),
        bareP99Ms: median(bare.map((s) => s.p99Ms)),
        deltaMs,
        deltas,
        disturbed: pairs.length - deltas.length,
        cpuUsPerRequest: median(mine.map((s) => s.cpuUsPerRequest)),
        unexpected,
        foreignCpuShare: median(mine.map((s) => s.foreignCpuShare)),
        maxDeltaMs,
        overloaded,
        met: maxDeltaMs === undefined ? undefined : overloaded !== undefined ? false : judged,
      }
    })
}

export interface Verdict {
  target: string
  wanted: string
  measured: string
  /** undefined: not measured in this run. */
  met: boolean | undefined
  /** Some same-repeat pairs fall on each side of the target: another run on a noisy machine may judge otherwise. */
  straddles: boolean
}

const f = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')
const signed = (n: number): string => `${n >= 0 ? '+' : ''}${f(n)}`

function ratioVerdict(row: Row, minRatio: number, summaries: readonly RowSummary[]): Verdict {
  const s = summaries.find((x) => x.id === row.id)
  const wanted = `capacity ≥ ${f(minRatio)}× ${row.against ?? 'bare'}`
  if (s === undefined) return { target: row.id, wanted, measured: 'not measured', met: undefined, straddles: false }
  const ref = summaries.find((x) => x.id === s.against)
  const unexpected = s.unexpected > 0 ? `; **${s.unexpected} unexpected responses**` : ''
  const measured =
    `capacity ${f(s.capacity)}× (${f(s.capacityMin)}–${f(s.capacityMax)}): ${f(s.cpuUsPerRequest, 0)} vs ${f(ref?.cpuUsPerRequest ?? NaN, 0)} µs CPU/req; ` +
    `req/s ${f(s.ratio)}× (${f(s.rps, 0)} vs ${f(ref?.rps ?? NaN, 0)})${unexpected}`
  return { target: row.id, wanted, measured, met: s.met, straddles: s.capacityMin < minRatio && s.capacityMax >= minRatio }
}

function latencyVerdict(row: Row, maxDeltaMs: number, latency: readonly LatencyResult[] | undefined): Verdict {
  const r = latency?.find((x) => x.row === row.id)
  const wanted = `p99 ≤ bare p99 + ${maxDeltaMs} ms, open loop at ½ bare req/s`
  const target = `added latency (${row.id})`
  if (r === undefined) return { target, wanted, measured: 'not measured', met: undefined, straddles: false }
  const unexpected = r.unexpected > 0 ? `; **${r.unexpected} unexpected responses**` : ''
  const left = r.disturbed === 0 ? '' : `; ${r.disturbed} of ${r.disturbed + r.deltas.length} pairs left out as disturbed`
  const delta = r.deltas.length === 0 ? 'no undisturbed pair' : `${signed(r.deltaMs)} ms (pairs ${r.deltas.map(signed).join(', ')})`
  const over = r.overloaded === undefined ? '' :
    `overloaded (${r.rate} req/s at its least CPU per request in the throughput pass, ${f(r.overloaded.cpuUsPerRequest, 0)} µs, need ${f(r.overloaded.cpuShare * 100, 0)}% of its CPU), `
  const measured = `${over}${delta}: p99 ${f(r.p99Ms)} vs ${f(r.bareP99Ms)} ms, p50 ${f(r.p50Ms)} ms, at ${r.rate} req/s${left}${unexpected}`
  const straddles = r.overloaded === undefined && Math.min(...r.deltas) <= maxDeltaMs && Math.max(...r.deltas) > maxDeltaMs
  return { target, wanted, measured, met: r.met, straddles }
}

/** Every target of `all` (the rows that carry one), in table order: the ratios, then the added latency. */
export function judgeTargets(all: readonly Row[], summaries: readonly RowSummary[], latency: readonly LatencyResult[] | undefined): Verdict[] {
  const targeted = all.filter((r) => r.target !== undefined)
  return [
    ...targeted.map((r) => ratioVerdict(r, r.target?.minRatio as number, summaries)),
    ...targeted.filter((r) => r.target?.maxP99DeltaMs !== undefined).map((r) => latencyVerdict(r, r.target?.maxP99DeltaMs as number, latency)),
  ]
}

/** Missed targets; an unmeasured one counts as missed unless the run measured only some rows on purpose. */
export function verdictFailures(verdicts: readonly Verdict[], partial: boolean): string[] {
  return verdicts.flatMap((v) => {
    if (v.met === false) return [`${v.target}: ${v.measured} (wanted ${v.wanted})`]
    if (v.met === undefined && !partial) return [`${v.target}: not measured`]
    return []
  })
}

export function targetsMarkdown(verdicts: readonly Verdict[], context: { startedAt: string; command: string; machine: string; noise: string }): string {
  const status = (v: Verdict): string =>
    `${v.met === true ? 'met' : v.met === false ? '**not met**' : 'not measured'}${v.straddles ? ' (pairs on both sides)' : ''}`
  return [
    `From one run, \`${context.command}\`, ${context.startedAt}. Machine: ${context.machine}.`,
    '',
    '| target | wanted | measured | status |',
    '|---|---|---|---|',
    ...verdicts.map((v) => `| ${v.target} | ${v.wanted} | ${v.measured} | ${status(v)} |`),
    '',
    context.noise,
  ].join('\n')
}
