// Admin: the admin listener (fastify) and what it shows: /metrics, /healthz, /readyz, /status, POST /reload; the
// metric hooks the other stages report to. Public API.
export { createActivity, type Activity, type ActivitySummary, type MinuteCounts } from './activity.js'
export { buildAdminApp, type AdminState } from './admin-app.js'
export { chainEvents } from './chain-events.js'
export { METRIC_DEFS } from './metric-defs.js'
export { createGatewayMetrics, processMetrics, type GatewayMetrics } from './metrics.js'
export { createRequestObserver } from './request-observer.js'
export { type StatusInputs } from './status-data.js'
export type { AdminRuntime } from './runtime-view.js'
