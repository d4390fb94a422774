// Admin: the per-request metric updates as plain additions (issue 11). prom-client's own `inc()` and `observe()`
// validate the labels, build a label hash string and (observe) allocate a closure and an object on every call, and a
// request makes seven of them. A cell finds its series in the instrument once, when its label combination is first
// used (label-cache.ts), and from then on adds to that series in place. The series stay prom-client's own: same
// registry, names, labels, exposition and cluster aggregation. This reads prom-client 15's internal layout (`hashMap`,
// a counter's `{ value, labels }`, a histogram's `{ labels, bucketValues, sum, count }`); metric-cells.test.ts checks
// that cells and prom-client's own calls give byte-identical exposition, so an upgrade that changes it fails there.
import type { Counter, Gauge, Histogram } from 'prom-client'

type Labels = Record<string, string>

interface ValueSeries {
  value: number
  labels: Labels
}

interface BucketSeries {
  labels: Labels
  bucketValues: Record<string, number>
  sum: number
  count: number
}

interface Internals<S> {
  labelNames: readonly string[]
  hashMap: Record<string, S | undefined>
}

export interface CounterCell {
  inc(): void
}

export interface GaugeCell {
  inc(): void
  dec(): void
}

export interface HistogramCell {
  observe(value: number): void
}

const internalsOf = <S>(metric: object): Internals<S> => metric as unknown as Internals<S>

function labelsOf(names: readonly string[], values: readonly string[]): Labels {
  if (names.length !== values.length) throw new Error(`expected ${names.length} label values, got ${values.length}`)
  const labels: Labels = {}
  names.forEach((name, i) => (labels[name] = values[i] as string))
  return labels
}

function sameLabels(names: readonly string[], a: Labels, b: Labels): boolean {
  return names.every((name) => a[name] === b[name])
}

/** The instrument's series for `labels`, made by `create` (prom-client's own call) when there is none yet. */
function seriesOf<S extends { labels: Labels }>(metric: object, values: readonly string[], create: (labels: Labels) => void): S {
  const { labelNames } = internalsOf<S>(metric)
  const labels = labelsOf(labelNames, values)
  const find = (): S | undefined => Object.values(internalsOf<S>(metric).hashMap).find((s) => s !== undefined && sameLabels(labelNames, s.labels, labels))
  const found = find()
  if (found !== undefined) return found
  create(labels)
  const made = find()
  if (made === undefined) throw new Error('prom-client did not create the series: its internal layout changed')
  return made
}

/** A counter series, as `counter.labels(...values).inc()`. */
export function counterCell(counter: Counter, values: readonly string[]): CounterCell {
  const series = seriesOf<ValueSeries>(counter, values, (labels) => counter.inc(labels, 0))
  return {
    inc() {
      series.value += 1
    },
  }
}

/** A gauge series moved up and down, as `gauge.labels(...values).inc()` and `.dec()`. Never reset elsewhere. */
export function gaugeCell(gauge: Gauge, values: readonly string[]): GaugeCell {
  const series = seriesOf<ValueSeries>(gauge, values, (labels) => gauge.inc(labels, 0))
  return {
    inc() {
      series.value += 1
    },
    dec() {
      series.value -= 1
    },
  }
}

/** A histogram series, as `histogram.labels(...values).observe(value)`; a value that is not finite is not counted. */
export function histogramCell(histogram: Histogram, values: readonly string[]): HistogramCell {
  const series = seriesOf<BucketSeries>(histogram, values, (labels) => histogram.zero(labels))
  // prom-client keys a series' buckets by their upper bound (a number used as a property name), in no useful order.
  const keys = Object.keys(series.bucketValues).sort((a, b) => Number(a) - Number(b))
  const bounds = keys.map(Number)
  return {
    observe(value) {
      if (!Number.isFinite(value)) return
      series.sum += value
      series.count += 1
      for (let i = 0; i < bounds.length; i++) {
        if (value <= (bounds[i] as number)) {
          const key = keys[i] as string
          series.bucketValues[key] = (series.bucketValues[key] ?? 0) + 1
          return
        }
      }
    },
  }
}
