// Unit: per-partner admission (issue 14 §1) over a stepped clock: the bucket's burst and refill, the in-flight
// cap, forward-auth decisions counting the rate only, the RateLimit fields, and reloads keeping the counters.
import { describe, expect, it } from 'vitest'
import { createLimiter, effectiveLimits, type Admission } from '../../../src/limits/index.js'

function clock() {
  const c = { ms: 1_000_000, now: () => c.ms }
  return c
}

const refused = (a: Admission) => (a.ok ? undefined : a)

describe('rate: token bucket', () => {
  it('admits a burst, then refuses with Retry-After and the RateLimit fields until a token refills', () => {
    const c = clock()
    const limiter = createLimiter(c.now)
    const limits = { ratePerSec: 2, burst: 4 }
    const results = Array.from({ length: 5 }, () => limiter.admit('exchange', limits, 'decision').ok)
    expect(results).toEqual([true, true, true, true, false])
    const denied = refused(limiter.admit('exchange', limits, 'decision'))
    expect(denied).toMatchObject({ limit: 'rate', retryAfterSec: 1 })
    expect(denied?.headers).toEqual({ 'ratelimit-policy': '"partner";q=4;w=2', ratelimit: '"partner";r=0;t=1' })
    c.ms += 500 // one token at 2 per second
    expect(limiter.admit('exchange', limits, 'decision').ok).toBe(true)
    expect(limiter.admit('exchange', limits, 'decision').ok).toBe(false)
  })

  it('a slow rate asks to wait whole seconds until the next token', () => {
    const c = clock()
    const limiter = createLimiter(c.now)
    const limits = { ratePerSec: 1, burst: 1 }
    expect(limiter.admit('p', limits, 'decision').ok).toBe(true)
    c.ms += 200
    expect(refused(limiter.admit('p', limits, 'decision'))?.retryAfterSec).toBe(1)
  })

  it('partners have separate buckets', () => {
    const limiter = createLimiter(clock().now)
    const limits = { ratePerSec: 1, burst: 1 }
    expect(limiter.admit('a', limits, 'request').ok).toBe(true)
    expect(limiter.admit('a', limits, 'request').ok).toBe(false)
    expect(limiter.admit('b', limits, 'request').ok).toBe(true)
  })

  it('burst defaults to one second of the rate', () => {
    const limiter = createLimiter(clock().now)
    const admitted = Array.from({ length: 10 }, () => limiter.admit('p', { ratePerSec: 5 }, 'decision').ok).filter(Boolean)
    expect(admitted).toHaveLength(5)
  })

  it('a lowered burst applies at once; the counters survive a changed policy (a reload)', () => {
    const c = clock()
    const limiter = createLimiter(c.now)
    for (let i = 0; i < 3; i++) limiter.admit('p', { ratePerSec: 1, burst: 10 }, 'decision')
    // 7 tokens left, but the new burst is 2
    const after = Array.from({ length: 4 }, () => limiter.admit('p', { ratePerSec: 1, burst: 2 }, 'decision').ok)
    expect(after).toEqual([true, true, false, false])
  })
})

describe('concurrency', () => {
  it('caps requests in flight, frees a slot on release (once), and never counts decisions', () => {
    const limiter = createLimiter(clock().now)
    const limits = { maxConcurrent: 2 }
    const first = limiter.admit('p', limits, 'request')
    const second = limiter.admit('p', limits, 'request')
    expect(limiter.inFlight('p')).toBe(2)
    expect(refused(limiter.admit('p', limits, 'request'))).toMatchObject({ limit: 'concurrency', retryAfterSec: 1 })
    expect(limiter.admit('p', limits, 'decision').ok).toBe(true)
    if (!first.ok || !second.ok) throw new Error('expected admissions')
    first.release()
    first.release()
    expect(limiter.inFlight('p')).toBe(1)
    expect(limiter.admit('p', limits, 'request').ok).toBe(true)
    expect(limiter.inFlight('p')).toBe(2)
  })

  it('a request refused for concurrency does not spend a token', () => {
    const limiter = createLimiter(clock().now)
    const limits = { ratePerSec: 1, burst: 2, maxConcurrent: 1 }
    const held = limiter.admit('p', limits, 'request')
    expect(refused(limiter.admit('p', limits, 'request'))?.limit).toBe('concurrency')
    if (held.ok) held.release()
    expect(limiter.admit('p', limits, 'request').ok).toBe(true)
  })

  it('no limits: always admitted, nothing counted', () => {
    const limiter = createLimiter(clock().now)
    for (let i = 0; i < 1000; i++) expect(limiter.admit('p', {}, 'request').ok).toBe(true)
    expect(limiter.inFlight('p')).toBe(0)
  })

  it('retain forgets removed partners; a late release of theirs is harmless', () => {
    const limiter = createLimiter(clock().now)
    const held = limiter.admit('gone', { maxConcurrent: 1 }, 'request')
    limiter.retain(new Set(['kept']))
    expect(limiter.inFlight('gone')).toBe(0)
    if (held.ok) held.release()
    expect(limiter.inFlight('gone')).toBe(0)
  })
})

describe('effectiveLimits', () => {
  it("a partner's keys override the defaults key by key", () => {
    expect(effectiveLimits({ ratePerSec: 200, burst: 400, maxConcurrent: 100 }, { ratePerSec: 50 })).toEqual({ ratePerSec: 50, burst: 400, maxConcurrent: 100 })
    expect(effectiveLimits({ maxConcurrent: 5 }, undefined)).toEqual({ maxConcurrent: 5 })
  })
})
