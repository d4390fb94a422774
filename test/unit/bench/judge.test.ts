// `npm run bench -- --check` judges issue 11's target table from one run: capacity (paired CPU per request) for
// the throughput targets, each against its own reference, and an open-loop p99 difference for the added latency.
import { describe, expect, it } from 'vitest'
import { baseId, compareLatency, disturbed, judgeTargets, latencyRate, latencyRows, targetsMarkdown, verdictFailures, type LatencyResult, type Verdict } from '../../../bench/judge.js'
import type { Sample } from '../../../bench/measure.js'
import { summarise } from '../../../bench/report.js'
import { ROWS, type Row } from '../../../bench/rows.js'

function sample(row: string, repeat: number, fields: Partial<Sample>): Sample {
  return {
    row, repeat, rps: 1000, p50Ms: 1, p99Ms: 2, cpuUsPerRequest: 100, cpuShare: 1, peakRssMb: 80, requests: 1000, unexpected: 0,
    logBytesPerRequest: 0, foreignCpuShare: 0, window: { fromUs: 0, toUs: 1 }, ...fields,
  }
}

const row = (id: string, extra: Partial<Row> = {}): Row => ({ id, kind: 'gateway', label: id, pool: 'appWarm', expect: 200, reference: false, ...extra })

describe("the issue's target table", () => {
  it('is exactly the six ratios and the added latency of app-warm and user-warm', () => {
    const targets = ROWS.filter((r) => r.target !== undefined).map((r) => [r.id, r.target?.minRatio, r.against ?? 'bare', r.target?.maxP99DeltaMs])
    expect(targets).toEqual([
      ['app-warm', 0.9, 'bare', 1],
      ['user-warm', 0.85, 'bare', 1],
      ['cold', 0.5, 'bare', undefined],
      ['reject-early', 1.5, 'bare', undefined],
      ['reject-sig', 1.0, 'bare', undefined],
      ['outbound', 0.8, 'bare-outbound', undefined],
    ])
    expect(ROWS.find((r) => r.id === 'bare-outbound')?.kind).toBe('bare-outbound')
  })
})

describe('summarise: capacity, paired per repeat, against the row’s own reference', () => {
  const rows = [row('bare', { kind: 'bare' }), row('app-warm', { target: { minRatio: 0.9, floor: 0.3 } }), row('bare-outbound', { kind: 'bare-outbound' }), row('outbound', { kind: 'gateway-outbound', against: 'bare-outbound', target: { minRatio: 0.8, floor: 0.3 } })]

  it('divides each repeat by the reference of the same repeat and judges capacity, not req/s', () => {
    const samples = [
      // Repeat 0: another process took the proxy's CPU while app-warm ran: req/s halves, CPU per request does not.
      sample('bare', 0, { rps: 10_000, cpuUsPerRequest: 100 }),
      sample('app-warm', 0, { rps: 4000, cpuUsPerRequest: 105 }),
      sample('bare', 1, { rps: 5000, cpuUsPerRequest: 200 }),
      sample('app-warm', 1, { rps: 4500, cpuUsPerRequest: 210 }),
      sample('bare', 2, { rps: 9000, cpuUsPerRequest: 110 }),
      sample('app-warm', 2, { rps: 4000, cpuUsPerRequest: 120 }),
    ]
    const [, app] = summarise(rows, samples)
    expect(app?.against).toBe('bare')
    expect(app?.capacity).toBeCloseTo(200 / 210, 6)
    expect(app?.capacityMin).toBeCloseTo(110 / 120, 6)
    expect(app?.capacityMax).toBeCloseTo(100 / 105, 6)
    expect(app?.ratio).toBeCloseTo(0.4444, 3)
    expect(app?.met).toBe(true)
  })

  it('divides outbound by bare-outbound, not by the inbound bare proxy', () => {
    const samples = [sample('bare', 0, { cpuUsPerRequest: 50 }), sample('bare-outbound', 0, { cpuUsPerRequest: 80, rps: 8000 }), sample('outbound', 0, { cpuUsPerRequest: 160, rps: 4000 })]
    const out = summarise(rows, samples).find((s) => s.id === 'outbound')
    expect(out?.capacity).toBeCloseTo(0.5, 6)
    expect(out?.ratio).toBeCloseTo(0.5, 6)
    expect(out?.met).toBe(false)
  })

  it('misses a target with unexpected responses whatever the capacity', () => {
    const samples = [sample('bare', 0, {}), sample('app-warm', 0, { cpuUsPerRequest: 50, unexpected: 3 })]
    expect(summarise(rows, samples).find((s) => s.id === 'app-warm')?.met).toBe(false)
  })
})

describe('the added-latency pass', () => {
  it('sends half the bare proxy’s best req/s (noise only lowers it), rounded to 10', () => {
    expect(latencyRate([sample('bare', 0, { rps: 14_830 }), sample('bare', 1, { rps: 9000 }), sample('bare', 2, { rps: 15_004 }), sample('app-warm', 0, { rps: 40_000 })])).toBe(7500)
    expect(latencyRate([sample('app-warm', 0, {})])).toBeUndefined()
  })

  it('measures bare, the rows with a p99 target and their variants and baselines', () => {
    const run = [...ROWS, row('app-warm@1a2b3c4'), row('app-warm~quiet'), row('cold@1a2b3c4')]
    expect(latencyRows(run, ROWS).map((r) => r.id)).toEqual(['bare', 'app-warm', 'user-warm', 'app-warm@1a2b3c4', 'app-warm~quiet'])
    expect(baseId('user-warm+sync')).toBe('user-warm')
  })

  it('judges the median of same-repeat p99 differences', () => {
    const rows = [row('bare', { kind: 'bare' }), row('app-warm', { target: { minRatio: 0.9, maxP99DeltaMs: 1, floor: 0.3 } }), row('app-warm@abc')]
    const samples = [
      sample('bare', 0, { p99Ms: 1.0 }), sample('app-warm', 0, { p99Ms: 1.5 }), sample('app-warm@abc', 0, { p99Ms: 9 }),
      // A stall hit both rows of repeat 1: the pair still differs by 0.8 ms.
      sample('bare', 1, { p99Ms: 20.0 }), sample('app-warm', 1, { p99Ms: 20.8 }), sample('app-warm@abc', 1, { p99Ms: 30 }),
      sample('bare', 2, { p99Ms: 1.2 }), sample('app-warm', 2, { p99Ms: 3.4 }), sample('app-warm@abc', 2, { p99Ms: 8 }),
    ]
    const [app, before] = compareLatency(rows, samples, 7000)
    expect(app?.deltas.map((d) => Number(d.toFixed(2)))).toEqual([0.5, 0.8, 2.2])
    expect(app?.deltaMs).toBeCloseTo(0.8, 6)
    expect(app?.met).toBe(true)
    expect(before?.row).toBe('app-warm@abc')
    expect(before?.met).toBeUndefined()
    expect(compareLatency(rows, samples.map((s) => (s.row === 'app-warm' ? { ...s, p99Ms: s.p99Ms + 0.5 } : s)), 7000)[0]?.met).toBe(false)
  })

  it('leaves out pairs whose bare window was disturbed, and judges nothing when every one was', () => {
    const rows = [row('bare', { kind: 'bare' }), row('app-warm', { target: { minRatio: 0.9, maxP99DeltaMs: 1, floor: 0.3 } })]
    const samples = [
      sample('bare', 0, { p50Ms: 0.4, p99Ms: 1.0 }), sample('app-warm', 0, { p50Ms: 0.6, p99Ms: 2.5 }),
      // Bare queued for a second behind other processes: the gateway looks 900 ms faster, which says nothing.
      sample('bare', 1, { p50Ms: 800, p99Ms: 1000 }), sample('app-warm', 1, { p50Ms: 50, p99Ms: 100 }),
    ]
    const [app] = compareLatency(rows, samples, 7000)
    expect([app?.deltas, app?.disturbed, app?.met]).toEqual([[1.5], 1, false])
    // Timeouts in the backed-up pair do not judge; one in a kept pair does.
    const timedOut = samples.map((s) => (s.repeat === 1 ? { ...s, unexpected: 400 } : s))
    expect(compareLatency(rows, timedOut, 7000)[0]?.unexpected).toBe(0)
    const wrong = samples.map((s) => (s.repeat === 0 && s.row === 'app-warm' ? { ...s, p99Ms: 1.2, unexpected: 1 } : s))
    expect([compareLatency(rows, wrong, 7000)[0]?.unexpected, compareLatency(rows, wrong, 7000)[0]?.met]).toEqual([1, false])
    const [none] = compareLatency(rows, samples.filter((s) => s.repeat === 1), 7000)
    expect([none?.deltas, none?.disturbed, none?.met]).toEqual([[], 1, undefined])
    const [verdict] = judgeTargets(rows, [], [none as LatencyResult]).filter((v) => v.target.startsWith('added'))
    expect(verdict?.measured).toContain('no undisturbed pair')
    expect(verdict?.met).toBeUndefined()
  })

  it('misses the target when the rate needs more than the row’s CPU, whatever its pairs say', () => {
    const rows = [row('bare', { kind: 'bare' }), row('app-warm', { target: { minRatio: 0.9, maxP99DeltaMs: 1, floor: 0.3 } })]
    // Every pair disturbed (the bare proxy backed up): nothing to compare, yet 5000 req/s at 210 µs is 105% of a CPU.
    const open = [sample('bare', 0, { p50Ms: 3, p99Ms: 150 }), sample('app-warm', 0, { p50Ms: 300, p99Ms: 450 })]
    const throughput = [sample('app-warm', 0, { cpuUsPerRequest: 260 }), sample('app-warm', 1, { cpuUsPerRequest: 210 })]
    const [over] = compareLatency(rows, open, 5000, throughput)
    expect([over?.deltas, over?.met, over?.overloaded?.cpuUsPerRequest]).toEqual([[], false, 210])
    expect(over?.overloaded?.cpuShare).toBeCloseTo(1.05, 6)
    const [verdict] = judgeTargets(rows, [], [over as LatencyResult]).filter((v) => v.target.startsWith('added'))
    expect([verdict?.met, verdict?.straddles]).toEqual([false, false])
    expect(verdict?.measured).toContain('overloaded (5000 req/s at its least CPU per request in the throughput pass, 210 µs, need 105% of its CPU)')
    // At a rate its cheapest window fits in, the pairs judge as before; without throughput samples nothing is overloaded.
    expect(compareLatency(rows, open, 4000, throughput)[0]?.overloaded).toBeUndefined()
    expect(compareLatency(rows, open, 4000, throughput)[0]?.met).toBeUndefined()
    expect(compareLatency(rows, open, 5000)[0]?.met).toBeUndefined()
  })

  it('counts a pair as disturbed when another process held the proxy’s CPU or the generator ran late, in either window', () => {
    const quiet = sample('bare', 0, { p50Ms: 0.4, foreignCpuShare: 0.02, loadLagP99Ms: 1.1 })
    const row = sample('app-warm', 0, { p50Ms: 0.6, foreignCpuShare: 0.05, loadLagP99Ms: 1.2 })
    expect(disturbed(quiet, row)).toBe(false)
    expect(disturbed(quiet, { ...row, foreignCpuShare: 0.4 })).toBe(true)
    expect(disturbed({ ...quiet, loadLagP99Ms: 9 }, row)).toBe(true)
    expect(disturbed({ ...quiet, p50Ms: 3 }, row)).toBe(true)
    expect(disturbed(quiet, { ...row, p50Ms: 300 })).toBe(false)
  })
})

describe('judgeTargets and verdictFailures', () => {
  const samples = [
    sample('bare', 0, { cpuUsPerRequest: 70, rps: 14_000 }),
    sample('app-warm', 0, { cpuUsPerRequest: 140, rps: 7000 }),
    sample('reject-early', 0, { cpuUsPerRequest: 40, rps: 20_000 }),
  ]
  const summaries = summarise(ROWS, samples)
  const latency = compareLatency(ROWS, [sample('bare', 0, { p99Ms: 1 }), sample('app-warm', 0, { p99Ms: 1.7 })], 7000)
  const verdicts = judgeTargets(ROWS, summaries, latency)

  it('lists the ratio targets, then the added latency, and says what was not measured', () => {
    expect(verdicts.map((v) => [v.target, v.met])).toEqual([
      ['app-warm', false],
      ['user-warm', undefined],
      ['cold', undefined],
      ['reject-early', true],
      ['reject-sig', undefined],
      ['outbound', undefined],
      ['added latency (app-warm)', true],
      ['added latency (user-warm)', undefined],
    ])
    expect(verdicts[0]?.measured).toContain('capacity 0.50×')
    expect(verdicts[0]?.measured).toContain('140 vs 70 µs CPU/req')
    expect(verdicts[6]?.measured).toContain('+0.70 ms')
    expect(verdicts[6]?.measured).toContain('at 7000 req/s')
    expect(verdicts.some((v) => v.straddles)).toBe(false)
  })

  it('says when same-repeat pairs fall on both sides of a target', () => {
    const noisy = [...samples, sample('bare', 1, { cpuUsPerRequest: 70 }), sample('app-warm', 1, { cpuUsPerRequest: 70 })]
    const [app] = judgeTargets(ROWS, summarise(ROWS, noisy), undefined)
    expect([app?.met, app?.straddles]).toEqual([false, true])
    expect(targetsMarkdown([app as Verdict], { startedAt: 'T', command: 'c', machine: 'M', noise: '' })).toContain('| **not met** (pairs on both sides) |')
  })

  it('fails a missed target always and an unmeasured one unless the run was partial on purpose', () => {
    expect(verdictFailures(verdicts, true).map((f) => f.split(':')[0])).toEqual(['app-warm'])
    expect(verdictFailures(verdicts, false)).toHaveLength(6)
  })

  it('renders one table row per target', () => {
    const text = targetsMarkdown(verdicts, { startedAt: 'T', command: 'npm run bench -- --check', machine: 'M', noise: 'quiet' })
    expect(text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| target'))).toHaveLength(8)
    expect(text).toContain('| reject-early | capacity ≥ 1.50× bare |')
  })
})
