// Admin: what happens with each finished inbound request's access record besides the log line: metrics
// (requests, duration, in flight) and the status page's per-minute counters.
import { REJECTED_OUTCOMES, type RequestObserver } from '../inbound/index.js'
import type { Activity } from './activity.js'
import type { GatewayMetrics } from './metrics.js'

export function createRequestObserver(metrics: GatewayMetrics, activity: Activity): RequestObserver {
  return {
    onStart: () => metrics.requestStarted(),
    onDone(record) {
      metrics.requestDone(record)
      const rejected = REJECTED_OUTCOMES.has(record.outcome)
      activity.record('*', rejected)
      activity.record(metrics.partnerLabel(record.partner), rejected)
    },
  }
}
