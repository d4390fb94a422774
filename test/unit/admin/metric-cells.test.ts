// Unit: metric cells add to prom-client's own series in place. The same events through cells and through
// prom-client's own calls give byte-identical exposition and JSON (what /metrics and the workers' aggregation read),
// which is also what fails first if a prom-client upgrade changes the internal layout the cells rely on.
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { counterCell, gaugeCell, histogramCell } from '../../../src/admin/metric-cells.js'

const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]
const OBSERVED = [0, 0.0004, 0.001, 0.0011, 0.007, 0.05, 0.3, 1, 4.9, 5, 9.99, 10, 11, 300]

function instruments() {
  const registry = new Registry()
  return {
    registry,
    counter: new Counter({ name: 'c_total', help: 'c', labelNames: ['partner', 'outcome'], registers: [registry] }),
    gauge: new Gauge({ name: 'g', help: 'g', registers: [registry] }),
    histogram: new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['outcome'], buckets: BUCKETS, registers: [registry] }),
  }
}

describe('metric cells', () => {
  it('give the same exposition and JSON as prom-client’s own inc, dec and observe', async () => {
    const own = instruments()
    const cells = instruments()
    const ok = counterCell(cells.counter, ['exchange', 'ok'])
    const refused = counterCell(cells.counter, ['lync', 'rejected'])
    const inFlight = gaugeCell(cells.gauge, [])
    const okSeconds = histogramCell(cells.histogram, ['ok'])
    const slowSeconds = histogramCell(cells.histogram, ['slow'])
    for (let i = 0; i < 5; i++) {
      own.counter.labels('exchange', 'ok').inc()
      ok.inc()
    }
    own.counter.labels('lync', 'rejected').inc()
    refused.inc()
    own.gauge.inc()
    own.gauge.inc()
    own.gauge.dec()
    inFlight.inc()
    inFlight.inc()
    inFlight.dec()
    for (const v of OBSERVED) {
      own.histogram.labels('ok').observe(v)
      okSeconds.observe(v)
    }
    own.histogram.labels('slow').observe(2)
    slowSeconds.observe(2)

    const text = await cells.registry.metrics()
    expect(text).toBe(await own.registry.metrics())
    expect(await cells.registry.getMetricsAsJSON()).toEqual(await own.registry.getMetricsAsJSON())
    expect(text).toContain('c_total{partner="exchange",outcome="ok"} 5')
    expect(text).toContain('g 1')
    expect(text).toContain('h_seconds_bucket{le="0.001",outcome="ok"} 3')
    expect(text).toContain('h_seconds_bucket{le="+Inf",outcome="ok"} 14')
  })

  it('adds to a series prom-client itself made, instead of making a second one', async () => {
    const { registry, counter, histogram } = instruments()
    counter.labels('exchange', 'ok').inc(2)
    histogram.labels('ok').observe(0.002)
    const cell = counterCell(counter, ['exchange', 'ok'])
    histogramCell(histogram, ['ok']).observe(0.002)
    cell.inc()
    const text = await registry.metrics()
    expect(text).toContain('c_total{partner="exchange",outcome="ok"} 3')
    expect(text).toContain('h_seconds_count{outcome="ok"} 2')
    expect(text.match(/^c_total\{/gm)).toHaveLength(1)
    expect(text.match(/^h_seconds_count\{/gm)).toHaveLength(1)
  })

  it('refuses a wrong number of label values, and leaves a value that is not finite uncounted', async () => {
    const { registry, counter, histogram } = instruments()
    expect(() => counterCell(counter, ['exchange'])).toThrow(/2 label values/)
    const cell = histogramCell(histogram, ['ok'])
    cell.observe(Number.NaN)
    cell.observe(Number.POSITIVE_INFINITY)
    expect(await registry.metrics()).toContain('h_seconds_count{outcome="ok"} 0')
  })
})
