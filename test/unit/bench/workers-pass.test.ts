// Issue 12's bench target: `workers: 2` within 1.1× the CPU per request of one process. At saturation with fewer
// proxy CPUs than workers the pair is reported only; it is judged in the workers pass, open loop at half the
// slowest single-process row's best req/s, with each worker warmed as long as a single process is.
import { describe, expect, it } from 'vitest'
import type { Sample } from '../../../bench/measure.js'
import { warmupScale } from '../../../bench/measure.js'
import { comparePairs, pairFailures, WORKER_PAIRS } from '../../../bench/pairs.js'
import { ROWS, type Row } from '../../../bench/rows.js'
import type { RunContext } from '../../../bench/targets.js'
import { workersPassRate, workersPassRows } from '../../../bench/workers-pass.js'

function sample(row: string, repeat: number, fields: Partial<Sample>): Sample {
  return {
    row, repeat, rps: 1000, p50Ms: 1, p99Ms: 2, cpuUsPerRequest: 100, cpuShare: 1, peakRssMb: 80, requests: 1000, unexpected: 0,
    logBytesPerRequest: 0, foreignCpuShare: 0, window: { fromUs: 0, toUs: 1 }, ...fields,
  }
}
const byId = (...ids: string[]): Row[] => ids.map((id) => {
  const row = ROWS.find((r) => r.id === id)
  if (row === undefined) throw new Error(`no row ${id}`)
  return row
})
const ctxOn = (proxyCpus: string | undefined): RunContext => ({ pinning: { proxyCpus } }) as unknown as RunContext

describe('the workers pass', () => {
  it('takes each w2 row with its single-process row, and nothing else', () => {
    expect(workersPassRows(byId('bare', 'app-warm', 'app-warm-w2', 'cold', 'user-warm')).map((r) => r.id)).toEqual(['app-warm', 'app-warm-w2'])
    expect(workersPassRows(byId('bare', 'app-warm', 'cold'))).toEqual([])
  })

  it('runs at half the best req/s of the slowest single-process row', () => {
    const rows = byId('app-warm', 'app-warm-w2', 'cold', 'cold-w2')
    const samples = [sample('app-warm', 0, { rps: 5000 }), sample('app-warm', 1, { rps: 6000 }), sample('cold', 0, { rps: 2000 }), sample('cold', 1, { rps: 3111 }), sample('cold-w2', 0, { rps: 100 })]
    expect(workersPassRate(rows, samples)).toBe(1560)
    expect(workersPassRate(rows, [])).toBeUndefined()
  })

  it('warms each worker as long as one process: the warm-up scales with workers per proxy CPU', () => {
    const [single, w2] = byId('app-warm', 'app-warm-w2')
    if (single === undefined || w2 === undefined) throw new Error('rows')
    expect(warmupScale(single, ctxOn('1'))).toBe(1)
    expect(warmupScale(w2, ctxOn('1'))).toBe(2)
    expect(warmupScale(w2, ctxOn('1,2'))).toBe(1)
  })

  it('judges the fixed-rate pairs, while the saturation pairs are reported without failing the run', () => {
    const samples = [0, 1, 2].flatMap((repeat) => [
      sample('app-warm', repeat, { cpuUsPerRequest: 200 }),
      sample('app-warm-w2', repeat, { cpuUsPerRequest: [230, 210, 900][repeat] ?? 0 }),
    ])
    const saturation = comparePairs(samples).filter((p) => p.row === 'app-warm-w2')
    expect(saturation).toHaveLength(1)
    expect(saturation[0]?.ratio).toBeCloseTo(1.15)
    expect(saturation[0]?.met).toBe(false)
    expect(pairFailures(saturation)).toEqual([])
    const fixedRate = comparePairs(samples, WORKER_PAIRS)
    expect(fixedRate.map((p) => [p.row, p.met])).toEqual([['app-warm-w2', false]])
    expect(pairFailures(fixedRate)).toEqual(['app-warm-w2 CPU ×1.150 of app-warm (target ≤ ×1.1)'])
  })
})
