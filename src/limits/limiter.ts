// Limits: per-partner admission (issue 14 §1): a token bucket (ratePerSec, burst) and an in-flight cap
// (maxConcurrent). One limiter lives as long as the gateway: a reload changes the policies (read at every
// admission) but keeps the counters, so neither a reload nor a new connection resets what a partner has used.
// Only authenticated partners reach it: an unknown caller is never counted against anyone.
import { fullBucket, secondsToNextToken, takeToken, type BucketPolicy, type BucketState } from './bucket.js'
import { rateHeaders, type LimitHeaders } from './headers.js'

/** A partner's effective limits: its own keys over the top-level `limits`; an absent key is no limit. */
export interface PartnerLimits {
  ratePerSec?: number
  burst?: number
  maxConcurrent?: number
}

export type LimitKind = 'rate' | 'concurrency'

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; limit: LimitKind; retryAfterSec: number; headers: LimitHeaders }

/** 'request': proxied, holds a concurrency slot until released. 'decision': forward-auth, counts the rate only. */
export type AdmissionKind = 'request' | 'decision'

export interface Limiter {
  admit(partner: string, limits: PartnerLimits, kind: AdmissionKind): Admission
  /** Requests of `partner` in flight now (status page). */
  inFlight(partner: string): number
  /** Forget partners no longer configured (their in-flight requests still release safely). */
  retain(partners: ReadonlySet<string>): void
}

interface PartnerState {
  bucket: BucketState | undefined
  inFlight: number
}

const NOOP = (): void => undefined

/** The bucket policy, when the partner has a rate: burst defaults to one second's worth of requests. */
export function bucketPolicy(limits: PartnerLimits): BucketPolicy | undefined {
  if (limits.ratePerSec === undefined) return undefined
  return { ratePerSec: limits.ratePerSec, burst: limits.burst ?? Math.max(1, Math.ceil(limits.ratePerSec)) }
}

export function createLimiter(now: () => number = Date.now): Limiter {
  const states = new Map<string, PartnerState>()

  function stateOf(partner: string): PartnerState {
    let state = states.get(partner)
    if (state === undefined) {
      state = { bucket: undefined, inFlight: 0 }
      states.set(partner, state)
    }
    return state
  }

  function release(state: PartnerState): () => void {
    let done = false
    return () => {
      if (done) return
      done = true
      state.inFlight = Math.max(0, state.inFlight - 1)
    }
  }

  return {
    admit(partner, limits, kind) {
      const policy = bucketPolicy(limits)
      const cap = kind === 'request' ? limits.maxConcurrent : undefined
      if (policy === undefined && cap === undefined) return { ok: true, release: NOOP }
      const state = stateOf(partner)
      const at = now()
      if (cap !== undefined && state.inFlight >= cap) {
        return { ok: false, limit: 'concurrency', retryAfterSec: 1, headers: policy === undefined ? {} : rateHeaders(currentBucket(state, policy, at), policy) }
      }
      if (policy !== undefined) {
        const bucket = currentBucket(state, policy, at)
        if (!takeToken(bucket, policy, at)) {
          return { ok: false, limit: 'rate', retryAfterSec: secondsToNextToken(bucket, policy), headers: rateHeaders(bucket, policy) }
        }
      }
      if (kind === 'decision') return { ok: true, release: NOOP }
      state.inFlight += 1
      return { ok: true, release: release(state) }
    },
    inFlight: (partner) => states.get(partner)?.inFlight ?? 0,
    retain(partners) {
      for (const name of states.keys()) if (!partners.has(name)) states.delete(name)
    },
  }
}

function currentBucket(state: PartnerState, policy: BucketPolicy, at: number): BucketState {
  state.bucket ??= fullBucket(policy, at)
  return state.bucket
}

/** Effective limits: the partner's keys over the top-level defaults, key by key. */
export function effectiveLimits(defaults: PartnerLimits, own: PartnerLimits | undefined): PartnerLimits {
  return own === undefined ? defaults : { ...defaults, ...own }
}
