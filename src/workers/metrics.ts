// Workers: GET /metrics on the primary, for the whole gateway. Per-request counters, histograms and the in-flight
// gauge are summed over the workers (prom-client's AggregatorRegistry.aggregate); the series that describe the
// gateway as a whole come from the primary once, so every shipped alert means the same with N workers.
import { AggregatorRegistry, Counter, type Registry } from 'prom-client'
import { METRIC_DEFS } from '../admin/index.js'
import { processMetrics } from '../admin/index.js'
import type { MetricsJson } from './messages.js'

const d = METRIC_DEFS
/**
 * The primary holds the configuration and the only partners that fetch metadata: key state, metadata age,
 * certificates, reloads and build info are its own. Per-worker copies of these are dropped, never summed.
 */
const FROM_PRIMARY: ReadonlySet<string> = new Set([
  d.metadataFetches, d.metadataAge, d.metadataStale, d.partnerState, d.partnerKeys, d.certificateExpiry,
  d.configReloads, d.configLastReloadSuccess, d.configLastReloadSuccessful, d.buildInfo, d.workerRestarts,
].map((def) => def.name))

const GATEWAY_NAMES: ReadonlySet<string> = new Set(Object.values(METRIC_DEFS).map((def) => def.name))

/** One process's series: its process metrics (CPU, memory: summed over processes) and its gateway registry. */
export async function processSeries(registry: Registry): Promise<MetricsJson> {
  const [own, gateway] = await Promise.all([processMetrics().getMetricsAsJSON(), registry.getMetricsAsJSON()])
  return [...own, ...gateway]
}

/** The primary's part: process metrics and the gateway-wide series. */
export const fromPrimary = (series: MetricsJson): MetricsJson =>
  series.filter((m) => FROM_PRIMARY.has(m.name) || !GATEWAY_NAMES.has(m.name))

/** A worker's part: everything but the gateway-wide series. */
export const fromWorker = (series: MetricsJson): MetricsJson => series.filter((m) => !FROM_PRIMARY.has(m.name))

export function aggregateScrape(primary: MetricsJson, workers: readonly MetricsJson[]): Promise<{ contentType: string; body: string }> {
  const merged = AggregatorRegistry.aggregate([fromPrimary(primary), ...workers.map(fromWorker)])
  return merged.metrics().then((body) => ({ contentType: merged.contentType, body }))
}

/** The gateway registry's s2s_gateway_worker_restarts_total (admin/instruments.ts registers it in every process). */
export function workerRestartsCounter(registry: Registry): Counter {
  const found = registry.getSingleMetric(d.workerRestarts.name)
  if (!(found instanceof Counter)) throw new Error(`${d.workerRestarts.name} is not registered`)
  return found
}
