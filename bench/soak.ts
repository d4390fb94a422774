// Bench: memory flatness over a long run (`--soak 600`). One gateway, mixed load in 10-second segments that
// cycle through every kind of traffic (distinct new tokens that churn the cache, warm tokens, cold signed
// tokens, both kinds of rejection), RSS sampled after every segment. Flat: the least-squares slope after the
// first fifth of the run projects less growth over the whole run than max(10 MB, 5% of the mean RSS).
import { runLoad, type LoadRequest } from './load/index.js'
import { firstToken } from './measure.js'
import { peakRssBytes, rssBytes } from './proc.js'
import type { Row } from './rows.js'
import { startTarget, type RunContext } from './targets.js'

export interface SoakResult {
  seconds: number
  samples: Array<{ atSec: number; rssMb: number; segment: string }>
  requests: number
  unexpected: number
  slopeMbPerMin: number
  projectedGrowthMb: number
  allowedGrowthMb: number
  peakRssMb: number
  flat: boolean
}

const ROW: Row = { id: 'soak', kind: 'gateway', label: 'soak', pool: 'appWarm', expect: 200, reference: false }
const SEGMENT_SEC = 10

function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0)
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0)
  return sxx === 0 ? 0 : sxy / sxx
}

export async function runSoak(ctx: RunContext, seconds: number, connections: number, report: (line: string) => void): Promise<SoakResult> {
  const target = await startTarget(ROW, ctx, { firstToken: firstToken(ctx.pools.appWarm) })
  const segments: Array<{ name: string; mode: LoadRequest['mode']; file: string; expect: 200 | 401 }> = [
    { name: 'distinct', mode: 'generate', file: ctx.pools.generated, expect: 200 },
    { name: 'user-warm', mode: 'rotate', file: ctx.pools.userWarm, expect: 200 },
    { name: 'reject-sig', mode: 'rotate', file: ctx.pools.rejectSig, expect: 401 },
    { name: 'app-warm', mode: 'rotate', file: ctx.pools.appWarm, expect: 200 },
    { name: 'cold', mode: 'rotate', file: ctx.pools.cold, expect: 200 },
    { name: 'reject-early', mode: 'rotate', file: ctx.pools.rejectEarly, expect: 401 },
  ]
  const offsets = new Map<string, number>()
  const samples: SoakResult['samples'] = []
  let requests = 0
  let unexpected = 0
  const t0 = performance.now()
  try {
    for (let k = 0; (performance.now() - t0) / 1000 < seconds; k++) {
      const segment = segments[k % segments.length]!
      const start = offsets.get(segment.name) ?? 0
      const load = await runLoad(ctx.generator, { url: target.url, mode: segment.mode, file: segment.file, start, connections, durationSec: SEGMENT_SEC, cpus: ctx.pinning.loadCpus })
      offsets.set(segment.name, start + load.sent)
      requests += load.requests
      unexpected += (segment.expect === 200 ? load.statusErrors : load.requests - load.statusErrors) + load.socketErrors
      const sample = { atSec: (performance.now() - t0) / 1000, rssMb: rssBytes(target.pid) / 1048576, segment: segment.name }
      samples.push(sample)
      report(`  soak ${sample.atSec.toFixed(0).padStart(4)} s  RSS ${sample.rssMb.toFixed(1)} MB  (${segment.name}, ${load.rps.toFixed(0)} req/s)`)
    }
    const settled = samples.filter((s) => s.atSec >= seconds / 5)
    const perSec = slope(settled.map((s) => ({ x: s.atSec, y: s.rssMb })))
    const mean = settled.reduce((s, p) => s + p.rssMb, 0) / Math.max(1, settled.length)
    const projected = perSec * seconds
    const allowed = Math.max(10, mean * 0.05)
    return {
      seconds,
      samples,
      requests,
      unexpected,
      slopeMbPerMin: perSec * 60,
      projectedGrowthMb: projected,
      allowedGrowthMb: allowed,
      peakRssMb: peakRssBytes(target.pid) / 1048576,
      flat: projected < allowed,
    }
  } finally {
    await target.stop()
  }
}

/** The soak's summary for BENCHMARKS.md: verdict, slope, and RSS range per fifth of the run. */
export function soakMarkdown(r: SoakResult, startedAt: string, machine: string): string {
  const fifths = [0, 1, 2, 3, 4].map((k) => {
    const from = (r.seconds * k) / 5
    const to = (r.seconds * (k + 1)) / 5 + (k === 4 ? 60 : 0)
    const values = r.samples.filter((s) => s.atSec >= from && s.atSec < to).map((s) => s.rssMb)
    return values.length === 0 ? 'n/a' : `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`
  })
  return [
    `Soak of ${startedAt} (${r.seconds} s, ${r.requests.toLocaleString('en-US')} requests, ${r.unexpected} unexpected responses). Machine: ${machine}.`,
    '',
    `RSS (MB) per fifth of the run: ${fifths.join(' | ')}; peak ${r.peakRssMb.toFixed(0)} MB. Slope after the first fifth ${r.slopeMbPerMin.toFixed(2)} MB/min, ` +
      `${r.projectedGrowthMb.toFixed(1)} MB projected over the run (allowed ${r.allowedGrowthMb.toFixed(1)} MB): **${r.flat ? 'flat' : 'NOT flat'}**.`,
  ].join('\n')
}
