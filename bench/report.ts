// Bench: turn samples into the table. Ratios are paired: each repeat's row is divided by the bare proxy measured
// in the same repeat, then the median is taken (min-max shown), so drift between repeats cancels out.
import type { MachineInfo } from './machine.js'
import { machineLine } from './machine.js'
import type { MemoryResult } from './memory.js'
import type { Sample } from './measure.js'
import type { ProfileSummary } from './profile.js'
import type { Row, Target } from './rows.js'
import type { StartupResult } from './startup.js'
import { pairsMarkdown, type PairResult } from './pairs.js'
import type { LatencyResult, Verdict } from './judge.js'

export interface RowSummary {
  id: string
  label: string
  reference: boolean
  /** Row the ratios divide by (referenceOf). */
  against: string
  repeats: number
  rps: number
  /** req/s ÷ the reference's, paired per repeat, median (min, max). */
  ratio: number
  ratioMin: number
  ratioMax: number
  /** Capacity: the reference's CPU µs per request ÷ the row's, paired per repeat, median (min, max): what targets judge. */
  capacity: number
  capacityMin: number
  capacityMax: number
  p50Ms: number
  p99Ms: number
  p99DeltaMs: number
  cpuUsPerRequest: number
  /** Row's median CPU µs per request ÷ the reference's (unpaired; kept for older reports). */
  cpuRatio: number
  cpuShare: number
  peakRssMb: number
  logBytesPerRequest: number
  /** Median share of the proxy's CPU taken by other processes during the window (shared machine noise). */
  foreignCpuShare: number
  unexpected: number
  target: Target | undefined
  met: boolean | undefined
}

export interface Limits {
  startupMs: number
  memoryMb: number
}

export const LIMITS: Limits = { startupMs: 1000, memoryMb: 200 }

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The row a row's ratios divide by (the bare proxy unless it names its own, e.g. outbound's bare-outbound). */
export function referenceOf(row: Pick<Row, 'against'>): string {
  return row.against ?? 'bare'
}

export function summarise(rows: readonly Row[], samples: readonly Sample[]): RowSummary[] {
  const sampleOf = (id: string, repeat: number): Sample | undefined => samples.find((s) => s.row === id && s.repeat === repeat)
  return [...rows]
    .filter((row) => samples.some((s) => s.row === row.id))
    .map((row) => {
      const against = referenceOf(row)
      const reference = samples.filter((s) => s.row === against)
      const mine = samples.filter((s) => s.row === row.id)
      // Paired: each repeat of the row against the reference measured in the same repeat, then the median.
      const paired = mine.flatMap((s) => {
        const b = sampleOf(against, s.repeat)
        return b === undefined ? [] : [{ rps: s.rps / b.rps, capacity: b.cpuUsPerRequest / s.cpuUsPerRequest }]
      })
      const ratios = paired.map((p) => p.rps)
      const capacities = paired.map((p) => p.capacity)
      const ratio = median(ratios)
      const capacity = median(capacities)
      const p99Ms = median(mine.map((s) => s.p99Ms))
      const unexpected = mine.reduce((n, s) => n + s.unexpected, 0)
      const target = row.target
      const met = target === undefined ? undefined : unexpected === 0 && capacity >= target.minRatio
      const cpu = median(mine.map((s) => s.cpuUsPerRequest))
      return {
        id: row.id,
        label: row.label,
        reference: row.reference,
        against,
        repeats: mine.length,
        rps: median(mine.map((s) => s.rps)),
        ratio,
        ratioMin: Math.min(...ratios),
        ratioMax: Math.max(...ratios),
        capacity,
        capacityMin: Math.min(...capacities),
        capacityMax: Math.max(...capacities),
        p50Ms: median(mine.map((s) => s.p50Ms)),
        p99Ms,
        p99DeltaMs: p99Ms - median(reference.map((s) => s.p99Ms)),
        cpuUsPerRequest: cpu,
        cpuRatio: cpu / median(reference.map((s) => s.cpuUsPerRequest)),
        cpuShare: median(mine.map((s) => s.cpuShare)),
        peakRssMb: Math.max(...mine.map((s) => s.peakRssMb)),
        logBytesPerRequest: median(mine.map((s) => s.logBytesPerRequest)),
        foreignCpuShare: median(mine.map((s) => s.foreignCpuShare)),
        unexpected,
        target,
        met,
      }
    })
}

const f = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')

function targetText(s: RowSummary): string {
  if (s.target === undefined) return ''
  const verdict = s.met === true ? 'met' : s.unexpected > 0 ? `**MISSED** (${s.unexpected} unexpected responses)` : '**MISSED**'
  return `capacity ≥ ${s.target.minRatio.toFixed(2)}x: ${verdict}`
}

export function markdownTable(summaries: readonly RowSummary[]): string {
  const head = [
    '| row | what | req/s | req/s × bare (min–max) | p50 ms | p99 ms | p99 − bare ms | CPU µs/req | capacity × bare (min–max) | CPU used | others on its CPU | peak RSS MB | log B/req | target |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ]
  const lines = summaries.map((s) => {
    const self = s.id === s.against
    // A row judged against another reference than the bare proxy says so in its ratio cells.
    const of = s.against === 'bare' ? '' : ` of ${s.against}`
    const ratio = self ? '1.00' : `${f(s.ratio, 2)} (${f(s.ratioMin, 2)}–${f(s.ratioMax, 2)})${of}`
    const capacity = self ? '1.00' : `${f(s.capacity, 2)} (${f(s.capacityMin, 2)}–${f(s.capacityMax, 2)})${of}`
    const delta = self ? '' : `${s.p99DeltaMs >= 0 ? '+' : ''}${f(s.p99DeltaMs, 2)}`
    return `| ${s.id} | ${s.label} | ${f(s.rps)} | ${ratio} | ${f(s.p50Ms, 2)} | ${f(s.p99Ms, 2)} | ${delta} | ${f(s.cpuUsPerRequest)} | ${capacity} | ${f(s.cpuShare * 100)}% | ${f(s.foreignCpuShare * 100)}% | ${f(s.peakRssMb)} | ${f(s.logBytesPerRequest)} | ${targetText(s)} |`
  })
  const outbound = summaries.some((s) => s.id === 'outbound') ? [] : ['| outbound | signed call through the outbound listener | n/a (not measured: outbound listener not implemented, or not selected) | | | | | | | | | | | |']
  return [...head, ...lines, ...outbound].join('\n')
}

/** How much of the proxy's CPU other processes took (a shared machine): worth saying next to the ratios. */
export function noiseNote(samples: readonly Sample[], summaries: readonly RowSummary[]): string {
  // Only the rows the targets compare: the scenarios with a target and the rows they divide by (reference rows are context).
  const judged = new Set(summaries.flatMap((s) => (s.target === undefined ? [] : [s.id, s.against])))
  const shares = samples.filter((s) => judged.has(s.row)).map((s) => s.foreignCpuShare).filter((x) => Number.isFinite(x))
  if (shares.length === 0) return ''
  const worst = Math.max(...shares)
  const typical = median(shares)
  const verdict = worst > 0.15 ? ' **Noisy run**: throughput ratios are unreliable; CPU µs per request and capacity × bare (bare CPU ÷ row CPU) are the steadier figures.' : ''
  return `Other processes on the proxy's CPU during the bare proxy's and the gateway scenarios' timed windows: median ${f(typical * 100)}%, worst ${f(worst * 100)}%.${verdict}`
}

export interface RunReport {
  startedAt: string
  options: Record<string, unknown>
  machine: MachineInfo
  pools: Record<string, number>
  summaries: RowSummary[]
  samples: Sample[]
  startup: StartupResult | undefined
  memory: MemoryResult | undefined
  profiles: Record<string, ProfileSummary>
  failures: string[]
  /** Rows judged against another gateway row (pairs.ts); absent in older reports. */
  pairs?: PairResult[]
  /** Issue 11's target table (judge.ts); absent in older reports. */
  verdicts?: Verdict[]
  /** The open-loop added-latency pass (latency.ts); absent when skipped and in older reports. */
  latency?: { rate: number; samples: Sample[]; results: LatencyResult[] }
}

export function extrasMarkdown(r: RunReport): string {
  const lines: string[] = []
  if (r.startup !== undefined) {
    const ok = r.startup.readyMs < LIMITS.startupMs
    lines.push(
      `- Start-up to ready, ${r.startup.partners} partners with metadata on loopback (spawn → every partner's token accepted): ` +
        `**${f(r.startup.readyMs)} ms** (median of ${r.startup.runs.length}: ${r.startup.runs.map((x) => f(x)).join(', ')}; /readyz 200 after ${f(r.startup.listeningMs)} ms; ` +
        `RSS at ready ${f(r.startup.rssAtReadyMb)} MB). Target < ${LIMITS.startupMs} ms: ${ok ? 'met' : '**MISSED**'}.`,
    )
  }
  if (r.memory !== undefined) {
    const ok = r.memory.peakRssMb < LIMITS.memoryMb && r.memory.unexpected === 0
    lines.push(
      `- Memory after ${r.memory.tokens.toLocaleString('en-US')} distinct valid tokens (default cache of 10,000 entries, every request a full verification at ${f(r.memory.rps)} req/s): ` +
        `RSS ${f(r.memory.rssAtReadyMb)} MB at ready → **${f(r.memory.rssAfterMb)} MB** after, peak ${f(r.memory.peakRssMb)} MB` +
        `${r.memory.unexpected > 0 ? ` (${r.memory.unexpected} unexpected responses)` : ''}. Target < ${LIMITS.memoryMb} MB: ${ok ? 'met' : '**MISSED**'}.`,
    )
  }
  return lines.join('\n')
}

export function profileMarkdown(profiles: Record<string, ProfileSummary>): string {
  const out: string[] = []
  for (const [row, p] of Object.entries(profiles)) {
    const perRequest = p.cpuUsPerRequest
    out.push(
      `#### ${row} (${f(p.busyMs)} ms of CPU sampled in the timed window${perRequest === undefined ? '' : `, ${f(perRequest)} µs/request with the profiler on`})`,
      '',
      '| attributed to | share of CPU | ≈ µs/request | own frames |',
      '|---|--:|--:|--:|',
    )
    for (const a of p.attributed) {
      const own = p.self.find((s) => s.category === a.category)?.share ?? 0
      out.push(`| ${a.category} | ${f(a.share * 100, 1)}% | ${perRequest === undefined ? '' : f(a.share * perRequest, 1)} | ${f(own * 100, 1)}% |`)
    }
    out.push('', 'Top functions by self time:', '', '| function | self |', '|---|--:|')
    for (const t of p.top.slice(0, 15)) out.push(`| \`${t.name.replace(/\|/g, '\\|')}\` | ${f(t.share * 100, 1)}% |`)
    out.push('')
  }
  return out.join('\n')
}

/** The "Latest run" section; `latency` is the added-latency pass's table (latency.ts), placed after the noise note. */
export function fullMarkdown(r: RunReport, latency = ''): string {
  return [
    `### Run of ${r.startedAt}`,
    '',
    `Machine: ${machineLine(r.machine)}.`,
    '',
    `Load: ${String(r.options['connections'])} connections, ${String(r.options['durationSec'])} s measured after ${String(r.options['warmupSec'])} s warm-up, ` +
      `${String(r.options['repeats'])} interleaved repeats with a fresh process each; pools: ${Object.entries(r.pools).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    markdownTable(r.summaries),
    '',
    noiseNote(r.samples, r.summaries),
    '',
    ...(latency === '' ? [] : [latency, '']),
    extrasMarkdown(r),
    r.pairs === undefined || r.pairs.length === 0 ? '' : pairsMarkdown(r.pairs),
    r.failures.length === 0 ? '' : `\nNot met: ${r.failures.join('; ')}.`,
    Object.keys(r.profiles).length === 0 ? '' : `\n#### CPU profiles\n\n${profileMarkdown(r.profiles)}`,
  ].join('\n')
}

/** `--check --floors`: rows whose capacity × bare fell under their regression floor, or answered wrongly. */
export function floorFailuresOf(summaries: readonly RowSummary[]): string[] {
  const failures: string[] = []
  for (const s of summaries) {
    if (s.target === undefined) continue
    if (s.unexpected > 0) failures.push(`${s.id}: ${s.unexpected} unexpected responses`)
    else if (!(s.capacity >= s.target.floor)) failures.push(`${s.id} capacity ${f(s.capacity, 2)}x ${s.against} < floor ${s.target.floor.toFixed(2)}x`)
  }
  return failures
}

export function failuresOf(summaries: readonly RowSummary[], startup: StartupResult | undefined, memory: MemoryResult | undefined): string[] {
  const failures: string[] = []
  for (const s of summaries) {
    if (s.target === undefined && s.unexpected > 0) failures.push(`${s.id}: ${s.unexpected} unexpected responses`)
  }
  if (startup !== undefined && !(startup.readyMs < LIMITS.startupMs)) failures.push(`start-up ${f(startup.readyMs)} ms ≥ ${LIMITS.startupMs} ms`)
  if (memory !== undefined && !(memory.peakRssMb < LIMITS.memoryMb && memory.unexpected === 0)) failures.push(`memory peak ${f(memory.peakRssMb)} MB`)
  return failures
}
