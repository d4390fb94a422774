// Outbound: hooks for metrics (admin/): one call per outbound request, one per token minted, one per resend. Partner
// labels are registered partner names or 'unknown', never a caller-supplied string. Hook failures are swallowed.
import type { Logger } from '../log/index.js'
import type { StatusClass } from '../net/index.js'

export interface OutboundEvents {
  /**
   * A call through the outbound listener finished with this status class (ours on 4xx/5xx we answered); `call`
   * says how, for s2s_gateway_requests_total{listener="outbound"} (issue 13).
   */
  onOutbound?(partner: string, statusClass: StatusClass, call?: OutboundCallSummary): void
  /** A token was minted (or a user token wrapped) for a partner; cache hits are not reported. */
  onTokenIssued?(partner: string, authType: 'app' | 'user'): void
  /** A call met a stale keep-alive connection before any answer and was sent again on a new one (send.ts). */
  onResend?(partner: string): void
}

/** One finished outbound call, in the access-record terms requests_total counts by. */
export interface OutboundCallSummary {
  /** The token we sent, when one was obtained. */
  authType: 'app' | 'user' | undefined
  /** ok (the partner's answer relayed, whatever its status), forbidden, bad_request, upstream_error, error, aborted. */
  outcome: string
  durationMs: number
}

/** Wrap hooks so a throwing metrics hook can never fail a call. */
export function guardEvents(events: OutboundEvents | undefined, log: Logger): Required<OutboundEvents> {
  const guard = <A extends unknown[]>(hook: string, fn: ((...args: A) => void) | undefined) => (...args: A): void => {
    try {
      fn?.(...args)
    } catch (err) {
      log.error({ hook, internal: err instanceof Error ? err.name : typeof err }, 'outbound event hook failed')
    }
  }
  return {
    onOutbound: guard('onOutbound', events?.onOutbound?.bind(events)),
    onTokenIssued: guard('onTokenIssued', events?.onTokenIssued?.bind(events)),
    onResend: guard('onResend', events?.onResend?.bind(events)),
  }
}
