// Admin: the prom-client instruments of one gateway, built from METRIC_DEFS into the gateway's own Registry
// (never the global one, so a test process can run several gateways). Scrape-time gauges: metric-collect.ts.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { METRIC_DEFS, type MetricDef } from './metric-defs.js'

const counter = (def: MetricDef, registry: Registry): Counter =>
  new Counter({ name: def.name, help: def.help, labelNames: def.labels, registers: [registry] })

const gauge = (def: MetricDef, registry: Registry): Gauge =>
  new Gauge({ name: def.name, help: def.help, labelNames: def.labels, registers: [registry] })

const histogram = (def: MetricDef, registry: Registry): Histogram =>
  new Histogram({ name: def.name, help: def.help, labelNames: def.labels, buckets: [...(def.buckets ?? [])], registers: [registry] })

/** Every instrument updated by events (the scrape-time gauges are registered by registerScrapeGauges). */
export function createInstruments(registry: Registry) {
  const d = METRIC_DEFS
  return {
    requests: counter(d.requests, registry),
    requestDuration: histogram(d.requestDuration, registry),
    inFlight: gauge(d.inFlight, registry),
    tokenValidations: counter(d.tokenValidations, registry),
    tokenCache: counter(d.tokenCache, registry),
    rateLimited: counter(d.rateLimited, registry),
    upstreamDuration: histogram(d.upstreamDuration, registry),
    upstreamErrors: counter(d.upstreamErrors, registry),
    upstreamRetries: counter(d.upstreamRetries, registry),
    metadataFetches: counter(d.metadataFetches, registry),
    refetchSuppressed: counter(d.refetchSuppressed, registry),
    outboundRequests: counter(d.outboundRequests, registry),
    outboundResends: counter(d.outboundResends, registry),
    tokensIssued: counter(d.tokensIssued, registry),
    accessDecisions: counter(d.accessDecisions, registry),
    configReloads: counter(d.configReloads, registry),
    configLastReloadSuccess: gauge(d.configLastReloadSuccess, registry),
    configLastReloadSuccessful: gauge(d.configLastReloadSuccessful, registry),
    buildInfo: gauge(d.buildInfo, registry),
    workerRestarts: counter(d.workerRestarts, registry), // counted by src/workers/ (primary)
  }
}

export type Instruments = ReturnType<typeof createInstruments>
