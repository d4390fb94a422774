// Bench: rows judged against another gateway row of the same run rather than the bare proxy. Issue 10: the
// access rules (app-warm-perms) must cost at most 5% CPU per request over app-warm. Paired per repeat (both
// measured in the same interleaved round), then the median, like the ratios to bare.
import type { Sample } from './measure.js'
import { median } from './report.js'

export interface PairTarget {
  row: string
  against: string
  /** CPU µs per request of `row` at most this times `against`'s. */
  maxCpuRatio: number
  what: string
}

export const PAIRS: readonly PairTarget[] = [
  { row: 'app-warm-perms', against: 'app-warm', maxCpuRatio: 1.05, what: '50 permissions (matching one last) and 10 access.deny entries' },
  { row: 'app-warm-w2', against: 'app-warm', maxCpuRatio: 1.1, what: 'workers: 2, CPU of the primary and both workers (issue 12)' },
  { row: 'cold-w2', against: 'cold', maxCpuRatio: 1.1, what: 'workers: 2, CPU of the primary and both workers (issue 12)' },
]

export interface PairResult extends PairTarget {
  ratios: number[]
  ratio: number
  met: boolean
}

export function comparePairs(samples: readonly Sample[]): PairResult[] {
  const out: PairResult[] = []
  for (const pair of PAIRS) {
    const ratios = samples.filter((s) => s.row === pair.row).flatMap((s) => {
      const other = samples.find((o) => o.row === pair.against && o.repeat === s.repeat)
      return other === undefined ? [] : [s.cpuUsPerRequest / other.cpuUsPerRequest]
    })
    if (ratios.length === 0) continue
    const ratio = median(ratios)
    out.push({ ...pair, ratios, ratio, met: ratio <= pair.maxCpuRatio })
  }
  return out
}

export function pairsMarkdown(results: readonly PairResult[]): string {
  return results.map((r) => {
    const range = `${Math.min(...r.ratios).toFixed(3)}–${Math.max(...r.ratios).toFixed(3)}`
    return `- \`${r.row}\` vs \`${r.against}\` (${r.what}): CPU per request **×${r.ratio.toFixed(3)}** (median of ${r.ratios.length} same-repeat pairs, ${range}); target ≤ ×${r.maxCpuRatio.toFixed(2)}: ${r.met ? 'met' : '**MISSED**'}.`
  }).join('\n')
}

export function pairFailures(results: readonly PairResult[]): string[] {
  return results.filter((r) => !r.met).map((r) => `${r.row} CPU ×${r.ratio.toFixed(3)} of ${r.against} (target ≤ ×${r.maxCpuRatio})`)
}
