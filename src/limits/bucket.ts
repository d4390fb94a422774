// Limits: the token bucket behind a partner's ratePerSec and burst (issue 14 §1). Pure arithmetic over a clock
// reading: no timers, so an idle partner costs nothing and a test can step time.

export interface BucketPolicy {
  /** Tokens added per second. */
  ratePerSec: number
  /** Bucket size: the most requests admitted at once after a quiet spell. */
  burst: number
}

export interface BucketState {
  tokens: number
  /** When `tokens` was last brought up to date, epoch ms. */
  at: number
}

export const fullBucket = (policy: BucketPolicy, nowMs: number): BucketState => ({ tokens: policy.burst, at: nowMs })

/** Refill for the time passed (never above burst, so a lowered burst applies at once), then try to take one token. */
export function takeToken(state: BucketState, policy: BucketPolicy, nowMs: number): boolean {
  const elapsedSec = Math.max(0, nowMs - state.at) / 1000
  state.tokens = Math.min(policy.burst, state.tokens + elapsedSec * policy.ratePerSec)
  state.at = nowMs
  if (state.tokens < 1) return false
  state.tokens -= 1
  return true
}

/** Whole seconds (at least 1) until one token is available again. */
export function secondsToNextToken(state: BucketState, policy: BucketPolicy): number {
  const missing = Math.max(0, 1 - state.tokens)
  return Math.max(1, Math.ceil(missing / policy.ratePerSec))
}

/** Whole seconds until the bucket is full again (0 when it is). */
export function secondsToFull(state: BucketState, policy: BucketPolicy): number {
  return Math.ceil(Math.max(0, policy.burst - state.tokens) / policy.ratePerSec)
}
