// Admin: the event hooks partners/, tokens/, upstream/, outbound/ and inbound/ call, turned into metric updates. Each
// label combination gets a cell (metric-cells.ts) that adds to its series in place, cached per combination
// (label-cache.ts); partner labels are checked against the registered names.
import type { Counter, Histogram } from 'prom-client'
import type { PartnerEvents } from '../partners/index.js'
import type { TokenEvents } from '../tokens/index.js'
import type { ForwardEvents } from '../upstream/index.js'
import type { OutboundEvents } from '../outbound/index.js'
import type { Instruments } from './instruments.js'
import { createLabelCache } from './label-cache.js'
import { counterCell, gaugeCell, histogramCell } from './metric-cells.js'
import { statusClassOf } from '../net/index.js'

/** What the access-log path reports once per inbound request. */
export interface RequestMetricRecord {
  /** Which listener answered (issue 13); absent: inbound. */
  listener?: 'inbound' | 'outbound' | 'forward_auth' | undefined
  /** Registered partner name, when one was identified. */
  partner: string | undefined
  authType: string | undefined
  outcome: string
  durationMs: number
  /** Catalogue code of a refused request, and its logged reason ('rate' | 'concurrency' for GW_RATE_LIMITED). */
  code?: string | undefined
  reason?: string | undefined
  /** The access decision (issue 10), for authenticated requests that reached it. */
  access?: 'allow' | 'deny' | 'shadow_deny' | undefined
}

export interface MetricHooks {
  partnerEvents: PartnerEvents
  tokenEvents: TokenEvents
  forwardEvents: ForwardEvents
  outboundEvents: OutboundEvents
  requestStarted(): void
  requestDone(record: RequestMetricRecord): void
  configReloaded(result: 'success' | 'failure', atMs: number): void
  /** The configuration in use was loaded at start-up: timestamp only, not a reload. */
  configLoaded(atMs: number): void
  /** Requests the access rules refused (deny) or would have refused (shadow_deny) per partner, since start. */
  accessDenials(partner: string): { deny: number; shadowDeny: number }
}

const counters = (c: Counter) => createLabelCache((values) => counterCell(c, values))
const histograms = (h: Histogram) => createLabelCache((values) => histogramCell(h, values))

/** `label(name)` maps anything that is not a registered partner name to 'unknown'. */
export function createMetricHooks(ins: Instruments, label: (partner: string | undefined) => string): MetricHooks {
  // One cache per listener (three values): the label cache holds up to three labels.
  const requestsOf = new Map<string, ReturnType<typeof counters>>()
  const requestsBy = (listener: string): ReturnType<typeof counters> => {
    let cache = requestsOf.get(listener)
    if (cache === undefined) requestsOf.set(listener, (cache = createLabelCache((values) => counterCell(ins.requests, [listener, ...values]))))
    return cache
  }
  const requestDuration = histograms(ins.requestDuration)
  const countRequest = (record: RequestMetricRecord): void => {
    const listener = record.listener ?? 'inbound'
    requestsBy(listener).get3(label(record.partner), record.authType ?? 'none', record.outcome).inc()
    requestDuration.get2(listener, record.outcome).observe(record.durationMs / 1000)
  }
  const validations = counters(ins.tokenValidations)
  const cache = counters(ins.tokenCache)
  const inFlight = gaugeCell(ins.inFlight, [])
  const upstreamDuration = histograms(ins.upstreamDuration)
  const upstreamErrors = counters(ins.upstreamErrors)
  const upstreamRetries = counterCell(ins.upstreamRetries, [])
  const fetches = counters(ins.metadataFetches)
  const suppressed = counters(ins.refetchSuppressed)
  const outbound = counters(ins.outboundRequests)
  const resends = counters(ins.outboundResends)
  const issued = counters(ins.tokensIssued)
  const limited = counters(ins.rateLimited)
  const decisions = counters(ins.accessDecisions)
  // Bounded like the metric labels: registered partner names and 'unknown'.
  const denials = new Map<string, { deny: number; shadowDeny: number }>()
  const countDecision = (partner: string, decision: 'allow' | 'deny' | 'shadow_deny'): void => {
    decisions.get2(partner, decision).inc()
    if (decision === 'allow') return
    let counts = denials.get(partner)
    if (counts === undefined) denials.set(partner, (counts = { deny: 0, shadowDeny: 0 }))
    if (decision === 'deny') counts.deny++
    else counts.shadowDeny++
  }
  return {
    partnerEvents: {
      onFetch: (partner, result) => fetches.get2(label(partner), result).inc(),
      onRefetchSuppressed: (partner) => suppressed.get1(label(partner)).inc(),
    },
    tokenEvents: {
      onResult: (partner, result, reason) => validations.get3(label(partner), result, reason).inc(),
      onCache: (hit) => cache.get1(hit ? 'hit' : 'miss').inc(),
    },
    forwardEvents: {
      onResponse: (status, durationMs) => upstreamDuration.get1(statusClassOf(status)).observe(durationMs / 1000),
      onError: (kind) => upstreamErrors.get1(kind).inc(),
      onRetry: () => upstreamRetries.inc(),
    },
    outboundEvents: {
      onOutbound: (partner, statusClass, call) => {
        outbound.get2(label(partner), statusClass).inc()
        // The outbound listener's calls are requests too: listener="outbound" (issue 13), never in flight.
        if (call !== undefined) countRequest({ listener: 'outbound', partner, authType: call.authType, outcome: call.outcome, durationMs: call.durationMs })
      },
      onTokenIssued: (partner, authType) => issued.get2(label(partner), authType).inc(),
      onResend: (partner) => resends.get1(label(partner)).inc(),
    },
    requestStarted: () => inFlight.inc(),
    requestDone(record) {
      inFlight.dec()
      countRequest(record)
      if (record.code === 'GW_RATE_LIMITED') limited.get2(label(record.partner), record.reason === 'concurrency' ? 'concurrency' : 'rate').inc()
      if (record.access !== undefined) countDecision(label(record.partner), record.access)
    },
    configReloaded(result, atMs) {
      ins.configReloads.labels(result).inc()
      ins.configLastReloadSuccessful.set(result === 'success' ? 1 : 0)
      if (result === 'success') ins.configLastReloadSuccess.set(atMs / 1000)
    },
    configLoaded(atMs) {
      ins.configLastReloadSuccessful.set(1)
      ins.configLastReloadSuccess.set(atMs / 1000)
    },
    accessDenials: (partner) => ({ ...(denials.get(partner) ?? { deny: 0, shadowDeny: 0 }) }),
  }
}
