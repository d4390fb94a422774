// Limits: the answer headers of a refused request: Retry-After and the IETF RateLimit-Policy / RateLimit fields in
// the syntax of draft-ietf-httpapi-ratelimit-headers-10 (structured-field lists: a quoted policy name with
// q = quota and w = window in seconds; r = remaining and t = seconds until it grows again).
import { secondsToFull, secondsToNextToken, type BucketPolicy, type BucketState } from './bucket.js'

export type LimitHeaders = Record<string, string>

/** The policy name the fields carry: one bucket per partner. */
const POLICY = '"partner"'

/**
 * q is the burst and w the seconds the bucket takes to refill from empty; r is what is left now and t when the
 * next request would be admitted (at least 1 when nothing is left).
 */
export function rateHeaders(state: BucketState, policy: BucketPolicy): LimitHeaders {
  const remaining = Math.floor(state.tokens)
  const window = Math.max(1, Math.ceil(policy.burst / policy.ratePerSec))
  const reset = remaining > 0 ? secondsToFull(state, policy) : secondsToNextToken(state, policy)
  return {
    'ratelimit-policy': `${POLICY};q=${policy.burst};w=${window}`,
    ratelimit: `${POLICY};r=${remaining};t=${reset}`,
  }
}
