// Admin: every metric the gateway exports, as data (name, type, labels, help). metrics.ts builds prom-client
// instruments from it, and `npm run docs` renders the README's metrics table from it, so the two cannot drift.

export type MetricType = 'counter' | 'gauge' | 'histogram'

export interface MetricDef {
  name: string
  type: MetricType
  /** Label names, in the order `labels(...)` takes their values. */
  labels: readonly string[]
  help: string
  /** Histograms only: bucket upper bounds, seconds. */
  buckets?: readonly number[]
}

/** Request latency as a caller sees it: 5 ms to 30 s (upstream.timeoutMs defaults to 30 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const

/**
 * Labels hold registered partner names (or `unknown`), fixed codes and status classes only; never a
 * caller-supplied string. `x5t` is the one exception: certificates are few and known.
 */
export const METRIC_DEFS = {
  requests: { name: 's2s_gateway_requests_total', type: 'counter', labels: ['listener', 'partner', 'auth_type', 'outcome'], help: 'Requests by listener (inbound|forward_auth: partner calls to us; outbound: our calls to the partner), partner, auth type (app|user|none) and outcome' },
  requestDuration: { name: 's2s_gateway_request_duration_seconds', type: 'histogram', labels: ['listener', 'outcome'], help: 'Request duration by listener (inbound|outbound|forward_auth), from arrival to the end of the response', buckets: LATENCY_BUCKETS },
  inFlight: { name: 's2s_gateway_requests_in_flight', type: 'gauge', labels: [], help: 'Inbound requests and forward-auth decisions currently being handled' },
  tokenValidations: { name: 's2s_gateway_token_validations_total', type: 'counter', labels: ['partner', 'result', 'reason'], help: 'Token validations by partner, result (ok|rejected|forbidden|unavailable) and reason code' },
  rateLimited: { name: 's2s_gateway_rate_limited_total', type: 'counter', labels: ['partner', 'limit'], help: 'Requests and decisions refused with 429 by a partner limit (rate|concurrency)' },
  tokenCache: { name: 's2s_gateway_token_cache_total', type: 'counter', labels: ['result'], help: 'Verified-token cache lookups (hit|miss)' },
  upstreamDuration: { name: 's2s_gateway_upstream_duration_seconds', type: 'histogram', labels: ['status_class'], help: 'Time until the backend answered with headers, by status class', buckets: LATENCY_BUCKETS },
  upstreamErrors: { name: 's2s_gateway_upstream_errors_total', type: 'counter', labels: ['kind'], help: 'Backend failures (timeout|refused|reset|other)' },
  upstreamRetries: { name: 's2s_gateway_upstream_retries_total', type: 'counter', labels: [], help: 'Requests sent to the backend a second time, on a new connection, because the reused keep-alive connection they went out on was reset before any answer (GET, HEAD, OPTIONS and TRACE without a body only; it stays near 0 while upstream.idleTimeoutMs is below the backend\'s keep-alive timeout)' },
  metadataFetches: { name: 's2s_gateway_metadata_fetches_total', type: 'counter', labels: ['partner', 'result'], help: 'Metadata fetches of partners and authorization servers, by name (ok|error|refused)' },
  metadataAge: { name: 's2s_gateway_metadata_age_seconds', type: 'gauge', labels: ['partner'], help: 'Age of the keys in use, from their last successful fetch (metadata partners with keys only)' },
  metadataStale: { name: 's2s_gateway_metadata_stale', type: 'gauge', labels: ['partner'], help: '1 while a partner is served from last-known-good keys because refreshes fail' },
  partnerState: { name: 's2s_gateway_partner_state', type: 'gauge', labels: ['partner', 'state'], help: "1 for each partner's current key state (ok|stale|snapshot|failed|loading; snapshot: usable keys restored from metadata.cacheDir)" },
  partnerKeys: { name: 's2s_gateway_partner_keys', type: 'gauge', labels: ['partner'], help: 'Signing keys currently usable for a partner' },
  refetchSuppressed: { name: 's2s_gateway_key_refetch_suppressed_total', type: 'counter', labels: ['partner'], help: 'On-demand key refetches refused by the per-partner cooldown' },
  certificateExpiry: { name: 's2s_gateway_certificate_expiry_timestamp_seconds', type: 'gauge', labels: ['owner', 'x5t'], help: 'notAfter of our issuer certificates (owner self), of the inbound listener\'s TLS certificate (owner inbound-tls) and of partner certificates (owner: the partner name)' },
  outboundRequests: { name: 's2s_gateway_outbound_requests_total', type: 'counter', labels: ['partner', 'status_class'], help: 'Outbound calls to partners by status class' },
  outboundResends: { name: 's2s_gateway_outbound_resends_total', type: 'counter', labels: ['partner'], help: 'Calls sent to a partner a second time, on a new connection, because the reused keep-alive connection they went out on was reset before any answer (GET, HEAD and OPTIONS without a body only; it stays near 0 while outbound.idleTimeoutMs is below the partner\'s keep-alive timeout)' },
  tokensIssued: { name: 's2s_gateway_tokens_issued_total', type: 'counter', labels: ['partner', 'auth_type'], help: 'Tokens minted by the built-in issuer for calls to partners' },
  accessDecisions: { name: 's2s_gateway_access_decisions_total', type: 'counter', labels: ['partner', 'decision'], help: 'Access decisions for authenticated requests by partner and decision (allow|deny|shadow_deny)' },
  configReloads: { name: 's2s_gateway_config_reloads_total', type: 'counter', labels: ['result'], help: 'Configuration reloads (success|failure)' },
  configLastReloadSuccess: { name: 's2s_gateway_config_last_reload_success_timestamp_seconds', type: 'gauge', labels: [], help: 'When the configuration in use was loaded (start-up or the last successful reload)' },
  configLastReloadSuccessful: { name: 's2s_gateway_config_last_reload_successful', type: 'gauge', labels: [], help: '0 from a refused reload until the next successful one (the previous configuration keeps serving), else 1' },
  buildInfo: { name: 's2s_gateway_build_info', type: 'gauge', labels: ['version', 'node'], help: 'Always 1; the labels name the gateway version and the Node.js version (the commit is on /status and --version)' },
  workerRestarts: { name: 's2s_gateway_worker_restarts_total', type: 'counter', labels: [], help: 'Worker processes that died and were replaced (always 0 with workers: 1)' },
} as const satisfies Record<string, MetricDef>

export type MetricKey = keyof typeof METRIC_DEFS
