// Token validation: tokens already refused, remembered by the verified-token cache's key (a SHA-256 of the whole
// token), so a flood of the same bad token costs a hash and a map lookup instead of decoding and checking it again
// (issue 11). Only refusals that no later moment can change are kept: the token's own bytes, this configuration
// (a reload builds a new validator and with it a new memo), and time that only moves forward (`expired`). A refusal
// that could turn into an acceptance is never kept: not yet valid, a partner without keys, a signature (the
// signature memo handles those, per key set), or an issuer not known while some partner's identity is still unknown.
import { LRUCache } from 'lru-cache'
import { GatewayError, type TokenRejectReason } from '../errors/index.js'

/** 401 reasons that depend only on the token bytes, the configuration, and (expired) time moving forward. */
const FINAL_REASONS: ReadonlySet<TokenRejectReason> = new Set<TokenRejectReason>([
  'malformed', 'alg_not_allowed', 'header_not_allowed', 'outer_signed', 'outer_no_actortoken', 'nested_actortoken',
  'issuer_malformed', 'aud_malformed', 'aud_principal', 'aud_host', 'aud_realm', 'nameid',
  'time_malformed', 'expired', 'lifetime', 'outer_binding', 'user_claims', 'claim_value',
])

/** Final only once every partner and authorization server is identified (their id and realm known). */
const FINAL_WHEN_IDENTIFIED: ReadonlySet<TokenRejectReason> = new Set<TokenRejectReason>(['issuer_unknown', 'issuer_realm'])

interface Refusal {
  reason: TokenRejectReason
  detail: Record<string, unknown>
  /** The registered partner the token named ('unknown' when none), for the metrics label. */
  partner: string
}

export interface RejectionMemo {
  /** The refusal remembered for this token key, as a new error (callers add to its detail), and its partner. */
  recall(key: string): { err: GatewayError; partner: string } | undefined
  /** Remember a refusal when it is final; `identified` says whether every issuer's identity is known. */
  remember(key: string, err: GatewayError, partner: string, identified: boolean): void
}

/** Bounded like the verified-token cache (tokens.cacheMaxEntries); undefined when that is 0. */
export function createRejectionMemo(maxEntries: number): RejectionMemo | undefined {
  if (!(maxEntries > 0)) return undefined
  const refusals = new LRUCache<string, Refusal>({ max: maxEntries })
  return {
    recall(key) {
      const refusal = refusals.get(key)
      if (refusal === undefined) return undefined
      return { err: new GatewayError('GW_TOKEN_INVALID', { reason: refusal.reason, detail: { ...refusal.detail } }), partner: refusal.partner }
    },
    remember(key, err, partner, identified) {
      const reason = err.reason
      if (err.code !== 'GW_TOKEN_INVALID' || reason === undefined) return
      // A refusal made up for an unexpected internal fault says nothing final about the token.
      if (err.detail['internal'] !== undefined) return
      if (!FINAL_REASONS.has(reason) && !(identified && FINAL_WHEN_IDENTIFIED.has(reason))) return
      refusals.set(key, { reason, detail: { ...err.detail }, partner })
    },
  }
}
