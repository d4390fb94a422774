// Unit: the status page's per-minute ring: counts land in the current minute, old minutes age out, and the
// memory is bounded by the window whatever the clock does.
import { describe, expect, it } from 'vitest'
import { createActivity } from '../../../src/admin/activity.js'

function clock(startMs = 1_700_000_000_000) {
  let now = startMs
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('createActivity', () => {
  it('counts requests and rejections per key in the current minute', () => {
    const c = clock()
    const activity = createActivity({ minutes: 3, now: c.now })
    activity.record('exchange', false)
    activity.record('exchange', true)
    activity.record('lync', true)
    const { perMinute, total } = activity.summary('exchange')
    expect(total).toEqual({ requests: 2, rejections: 1 })
    expect(perMinute).toEqual([{ requests: 0, rejections: 0 }, { requests: 0, rejections: 0 }, { requests: 2, rejections: 1 }])
    expect(activity.summary('lync').total).toEqual({ requests: 1, rejections: 1 })
    expect(activity.summary('nobody').total).toEqual({ requests: 0, rejections: 0 })
  })

  it('shifts minutes along and forgets what is older than the window', () => {
    const c = clock()
    const activity = createActivity({ minutes: 3, now: c.now })
    activity.record('p', false)
    c.advance(60_000)
    activity.record('p', false)
    activity.record('p', true)
    expect(activity.summary('p').perMinute.map((m) => m.requests)).toEqual([0, 1, 2])
    c.advance(2 * 60_000)
    expect(activity.summary('p').perMinute.map((m) => m.requests)).toEqual([2, 0, 0])
    c.advance(60_000)
    expect(activity.summary('p').total).toEqual({ requests: 0, rejections: 0 })
  })

  it('reuses a slot for a later minute instead of adding to its old counts', () => {
    const c = clock()
    const activity = createActivity({ minutes: 2, now: c.now })
    activity.record('p', true)
    c.advance(2 * 60_000) // same slot, two minutes later
    activity.record('p', false)
    expect(activity.summary('p').total).toEqual({ requests: 1, rejections: 0 })
  })

  it('defaults to a 15-minute window and works with a clock near zero', () => {
    const activity = createActivity({ now: () => 0 })
    activity.record('p', false)
    expect(activity.minutes).toBe(15)
    expect(activity.summary('p').perMinute).toHaveLength(15)
    expect(activity.summary('p').total.requests).toBe(1)
  })
})
