// Admin: the Prometheus metrics of one gateway. Its own Registry (tests run several gateways per process) plus
// the process metrics (CPU, memory, event loop, GC), collected once per process and served by every gateway.
import { Registry, collectDefaultMetrics } from 'prom-client'
import { buildInfo } from '../build-info.js'
import { createInstruments } from './instruments.js'
import { registerScrapeGauges, type ScrapeSource } from './metric-collect.js'
import { createMetricHooks, type MetricHooks } from './metric-hooks.js'

export type { RequestMetricRecord } from './metric-hooks.js'
export type { ScrapeSource } from './metric-collect.js'

export interface GatewayMetrics extends MetricHooks {
  /** This gateway's metrics only (no process metrics). */
  readonly registry: Registry
  /** A registered partner or authorization server name as given, anything else (or nothing) as 'unknown'. */
  partnerLabel(partner: string | undefined): string
  /** The text exposition served at GET /metrics: process metrics, then the gateway's. */
  scrape(): Promise<{ contentType: string; body: string }>
}

let processRegistry: Registry | undefined

/** Default process metrics are per process, so one collector serves every gateway in it. */
export function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

export function createGatewayMetrics(source: ScrapeSource): GatewayMetrics {
  const registry = new Registry()
  const instruments = createInstruments(registry)
  const build = buildInfo()
  instruments.buildInfo.labels(build.version, build.node).set(1)
  registerScrapeGauges(registry, source)
  let namesOf: object | undefined
  let names: ReadonlySet<string> = new Set()
  const label = (partner: string | undefined): string => {
    if (partner === undefined) return 'unknown'
    const runtime = source.runtime()
    if (runtime !== namesOf) {
      // Authorization servers are named like partners in the metadata and key series (metric-collect.ts).
      names = new Set([...runtime.registry.all().map((p) => p.name), ...runtime.authorizationServers.all().map((s) => s.name)])
      namesOf = runtime
    }
    return names.has(partner) ? partner : 'unknown'
  }
  return {
    ...createMetricHooks(instruments, label),
    registry,
    partnerLabel: label,
    async scrape() {
      const [processText, gatewayText] = await Promise.all([processMetrics().metrics(), registry.metrics()])
      return { contentType: registry.contentType, body: processText.endsWith('\n') ? processText + gatewayText : `${processText}\n${gatewayText}` }
    },
  }
}
