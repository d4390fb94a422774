// Admin: gauges computed when Prometheus scrapes (prom-client `collect()`), from the Runtime in use at that
// moment: metadata age and staleness, partner key state, certificate expiry. Removed partners vanish at once.
// Authorization servers (issue 7) appear under their own name: their metadata is held by a Partner object, and
// the partners that use them hold no keys of their own, so those have no key series.
import { Gauge, type Registry } from 'prom-client'
import type { Partner } from '../partners/index.js'
import type { AdminRuntime } from './runtime-view.js'
import { METRIC_DEFS, type MetricDef } from './metric-defs.js'

export interface ScrapeSource {
  /** The Runtime serving requests now. */
  runtime(): AdminRuntime
  /** Clock, epoch ms. */
  now(): number
  /** The certificate the inbound listener serves now, when it serves TLS itself. */
  inboundTls?(): { x5t: string; notAfter: number } | undefined
}

const STATES = ['ok', 'stale', 'snapshot', 'failed', 'loading'] as const
const isMetadataPartner = (p: Partner): boolean => p.config.metadataUrl !== undefined

/** A gauge whose samples are rebuilt on every scrape by `fill`. */
function scrapeGauge(def: MetricDef, registry: Registry, fill: (set: (labels: string[], value: number) => void) => void): Gauge {
  return new Gauge({
    name: def.name,
    help: def.help,
    labelNames: def.labels,
    registers: [registry],
    collect() {
      this.reset()
      fill((labels, value) => this.labels(...labels).set(value))
    },
  })
}

/** Every key holder: partners with keys of their own, then each authorization server's metadata. */
function keyHolders(runtime: AdminRuntime): Partner[] {
  const own = runtime.registry.all().filter((p) => p.config.authorizationServer === undefined)
  return [...own, ...runtime.authorizationServers.all().map((s) => s.metadata)]
}

export function registerScrapeGauges(registry: Registry, source: ScrapeSource): void {
  const partners = (): readonly Partner[] => keyHolders(source.runtime())
  scrapeGauge(METRIC_DEFS.metadataAge, registry, (set) => {
    const now = source.now()
    for (const p of partners()) {
      const keys = p.keys()
      if (isMetadataPartner(p) && keys !== undefined) set([p.name], Math.max(0, (now - keys.loadedAt) / 1000))
    }
  })
  scrapeGauge(METRIC_DEFS.metadataStale, registry, (set) => {
    for (const p of partners()) if (isMetadataPartner(p)) set([p.name], p.state() === 'stale' || p.state() === 'snapshot' ? 1 : 0)
  })
  scrapeGauge(METRIC_DEFS.partnerState, registry, (set) => {
    for (const p of partners()) {
      const state = p.state()
      for (const s of STATES) set([p.name, s], s === state ? 1 : 0)
    }
  })
  scrapeGauge(METRIC_DEFS.partnerKeys, registry, (set) => {
    for (const p of partners()) set([p.name], p.keys()?.all.length ?? 0)
  })
  scrapeGauge(METRIC_DEFS.certificateExpiry, registry, (set) => {
    const { issuer } = source.runtime()
    const own = new Map([[issuer.signingKey.x5t, issuer.signingKey], ...issuer.published.map((k) => [k.x5t, k] as const)])
    for (const key of own.values()) set(['self', key.x5t], key.notAfter / 1000)
    const tls = source.inboundTls?.()
    if (tls !== undefined) set(['inbound-tls', tls.x5t], tls.notAfter / 1000)
    for (const p of partners()) for (const key of p.keys()?.all ?? []) set([p.name, key.x5t], key.notAfter / 1000)
  })
}
