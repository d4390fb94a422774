// Unit: the hooks partners/, tokens/, inbound/, upstream/ and the outbound side call, as metric samples in a fresh registry;
// partner labels outside the registered set become 'unknown'.
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createInstruments } from '../../../src/admin/instruments.js'
import { createMetricHooks } from '../../../src/admin/metric-hooks.js'

function setup() {
  const registry = new Registry()
  const registered = new Set(['exchange', 'lync'])
  const hooks = createMetricHooks(createInstruments(registry), (p) => (p !== undefined && registered.has(p) ? p : 'unknown'))
  const value = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> => {
    // histogram samples carry their own name (_sum, _count, _bucket) in metricName
    const samples = (await registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })))
    const wanted = Object.entries(labels)
    const sample = samples.find((v) => v.name === name && Object.keys(v.labels).length === wanted.length && wanted.every(([k, val]) => v.labels[k] === val))
    return sample?.value
  }
  return { hooks, value }
}

describe('createMetricHooks', () => {
  it('counts requests by partner, auth type and outcome, and observes their duration', async () => {
    const { hooks, value } = setup()
    hooks.requestStarted()
    hooks.requestStarted()
    hooks.requestDone({ partner: 'exchange', authType: 'app', outcome: 'ok', durationMs: 12 })
    hooks.requestDone({ partner: 'Exchange<script>', authType: undefined, outcome: 'rejected', durationMs: 1 })
    expect(await value('s2s_gateway_requests_total', { listener: 'inbound', partner: 'exchange', auth_type: 'app', outcome: 'ok' })).toBe(1)
    expect(await value('s2s_gateway_requests_total', { listener: 'inbound', partner: 'unknown', auth_type: 'none', outcome: 'rejected' })).toBe(1)
    expect(await value('s2s_gateway_requests_in_flight')).toBe(0)
    expect(await value('s2s_gateway_request_duration_seconds_sum', { listener: 'inbound', outcome: 'ok' })).toBeCloseTo(0.012)
  })

  it('counts outbound calls and forward-auth decisions under their own listener label, outbound outside in-flight', async () => {
    const { hooks, value } = setup()
    hooks.requestStarted()
    hooks.requestDone({ listener: 'forward_auth', partner: 'exchange', authType: 'app', outcome: 'ok', durationMs: 2 })
    hooks.outboundEvents.onOutbound?.('exchange', '2xx', { authType: 'app', outcome: 'ok', durationMs: 30 })
    expect(await value('s2s_gateway_requests_total', { listener: 'forward_auth', partner: 'exchange', auth_type: 'app', outcome: 'ok' })).toBe(1)
    expect(await value('s2s_gateway_requests_total', { listener: 'outbound', partner: 'exchange', auth_type: 'app', outcome: 'ok' })).toBe(1)
    expect(await value('s2s_gateway_request_duration_seconds_sum', { listener: 'outbound', outcome: 'ok' })).toBeCloseTo(0.03)
    expect(await value('s2s_gateway_requests_in_flight')).toBe(0)
  })

  it('maps token, cache, metadata, upstream and outbound events', async () => {
    const { hooks, value } = setup()
    hooks.tokenEvents.onResult?.('lync', 'rejected', 'signature')
    hooks.tokenEvents.onCache?.(true)
    hooks.tokenEvents.onCache?.(false)
    hooks.tokenEvents.onCache?.(false)
    hooks.partnerEvents.onFetch?.('lync', 'refused', 'pinned_mismatch')
    hooks.partnerEvents.onRefetchSuppressed?.('exchange')
    hooks.forwardEvents.onResponse?.(204, 50)
    hooks.forwardEvents.onError?.('timeout')
    hooks.outboundEvents.onOutbound?.('exchange', '4xx')
    hooks.outboundEvents.onTokenIssued?.('removed-partner', 'user')
    expect(await value('s2s_gateway_token_validations_total', { partner: 'lync', result: 'rejected', reason: 'signature' })).toBe(1)
    expect(await value('s2s_gateway_token_cache_total', { result: 'hit' })).toBe(1)
    expect(await value('s2s_gateway_token_cache_total', { result: 'miss' })).toBe(2)
    expect(await value('s2s_gateway_metadata_fetches_total', { partner: 'lync', result: 'refused' })).toBe(1)
    expect(await value('s2s_gateway_key_refetch_suppressed_total', { partner: 'exchange' })).toBe(1)
    expect(await value('s2s_gateway_upstream_duration_seconds_count', { status_class: '2xx' })).toBe(1)
    expect(await value('s2s_gateway_upstream_errors_total', { kind: 'timeout' })).toBe(1)
    expect(await value('s2s_gateway_outbound_requests_total', { partner: 'exchange', status_class: '4xx' })).toBe(1)
    expect(await value('s2s_gateway_tokens_issued_total', { partner: 'unknown', auth_type: 'user' })).toBe(1)
  })

  it('shows a labelled series only once its first event happened (no zero series for what never occurred)', async () => {
    const { hooks, value } = setup()
    expect(await value('s2s_gateway_token_cache_total', { result: 'hit' })).toBeUndefined()
    hooks.tokenEvents.onCache?.(true)
    expect(await value('s2s_gateway_token_cache_total', { result: 'hit' })).toBe(1)
    expect(await value('s2s_gateway_token_cache_total', { result: 'miss' })).toBeUndefined()
    expect(await value('s2s_gateway_requests_in_flight')).toBe(0)
  })

  it('counts reloads and keeps the time of the configuration in use', async () => {
    const { hooks, value } = setup()
    hooks.configLoaded(1_000_000)
    expect(await value('s2s_gateway_config_last_reload_success_timestamp_seconds')).toBe(1_000)
    expect(await value('s2s_gateway_config_last_reload_successful')).toBe(1)
    hooks.configReloaded('failure', 2_000_000)
    expect(await value('s2s_gateway_config_last_reload_success_timestamp_seconds')).toBe(1_000)
    expect(await value('s2s_gateway_config_last_reload_successful')).toBe(0)
    hooks.configReloaded('failure', 2_500_000) // stays 0 (issue 15: the alert must not clear by itself)
    expect(await value('s2s_gateway_config_last_reload_successful')).toBe(0)
    hooks.configReloaded('success', 3_000_000)
    expect(await value('s2s_gateway_config_last_reload_success_timestamp_seconds')).toBe(3_000)
    expect(await value('s2s_gateway_config_last_reload_successful')).toBe(1)
    expect(await value('s2s_gateway_config_reloads_total', { result: 'failure' })).toBe(2)
    expect(await value('s2s_gateway_config_reloads_total', { result: 'success' })).toBe(1)
  })
})
