// Unit: the WebSocket tracker's judging after reloads (websocket.ts), with stand-in sockets and runtimes. A verdict
// that arrives for a runtime a newer reload replaced is ignored; an undecided channel stays open and is judged
// again after the wait it was given; a channel that opens after a reload is judged by the runtime in use; a sweep
// of many channels judges them all, a batch per event-loop turn. The real judge and sockets: the integration
// tests in websockets-reload.test.ts.
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createUpgradeTracker, type ChannelJudge, type ChannelVerdict, type UpgradeTracker } from '../../../src/upstream/index.js'
import { until } from '../../helpers/until.js'

interface Rt {
  name: string
}

const A: Rt = { name: 'A' }
const B: Rt = { name: 'B' }
const C: Rt = { name: 'C' }
const FAR = Math.floor(Date.now() / 1000) + 3600

function trackerWith(initial: Rt): { tracker: UpgradeTracker<Rt>; swap(to: Rt): void } {
  let current = initial
  const tracker = createUpgradeTracker<Rt>(() => current)
  return {
    tracker,
    swap(to) {
      current = to
      tracker.revalidate(to)
    },
  }
}

/** A judge answering from `verdicts` by runtime name, recording which runtimes it was asked about. */
function judgeOf(verdicts: Record<string, ChannelVerdict | Promise<ChannelVerdict>>): ChannelJudge<Rt> & { asked: string[] } {
  const asked: string[] = []
  return Object.assign((rt: Rt) => {
    asked.push(rt.name)
    return verdicts[rt.name] ?? 'keep'
  }, { asked })
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the upgrade tracker after a reload', () => {
  it('closes what the new runtime refuses and keeps what it admits', () => {
    const { tracker, swap } = trackerWith(A)
    const kept = new PassThrough()
    const refused = new PassThrough()
    tracker.opened(kept, FAR, 600, A, judgeOf({ B: 'keep' }))
    tracker.opened(refused, FAR, 600, A, judgeOf({ B: 'close' }))
    swap(B)
    expect(refused.destroyed).toBe(true)
    expect(kept.destroyed).toBe(false)
  })

  it('ignores a verdict that arrives for a runtime a newer reload replaced', async () => {
    const { tracker, swap } = trackerWith(A)
    let refuseLate: (v: ChannelVerdict) => void = () => undefined
    const late = new Promise<ChannelVerdict>((resolve) => (refuseLate = resolve))
    const socket = new PassThrough()
    const judge = judgeOf({ B: late, C: 'keep' })
    tracker.opened(socket, FAR, 600, A, judge)
    swap(B)
    swap(C)
    refuseLate('close')
    await late
    await Promise.resolve()
    expect(judge.asked).toEqual(['B', 'C'])
    expect(socket.destroyed).toBe(false)
  })

  it('keeps an undecided channel and judges it again after the wait it was given', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { tracker, swap } = trackerWith(A)
    const socket = new PassThrough()
    const answers: ChannelVerdict[] = [{ retryAfterSec: 2 }, 'close']
    const judge: ChannelJudge<Rt> = () => answers.shift() ?? 'keep'
    tracker.opened(socket, FAR, 600, A, judge)
    swap(B)
    expect(socket.destroyed).toBe(false)
    vi.advanceTimersByTime(1999)
    expect(socket.destroyed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(socket.destroyed).toBe(true)
  })

  it('judges a channel that opens after a reload by the runtime in use, once', async () => {
    const { tracker, swap } = trackerWith(A)
    swap(B) // while the handshake judged by A waited for the backend
    const socket = new PassThrough()
    const judge = judgeOf({ B: 'close' })
    tracker.opened(socket, FAR, 600, A, judge)
    await until(() => socket.destroyed, 'the close of the channel opened after the reload')
    expect(judge.asked).toEqual(['B'])

    const fresh = new PassThrough()
    const freshJudge = judgeOf({})
    tracker.opened(fresh, FAR, 600, B, freshJudge) // judged by the runtime in use: nothing to judge again
    await Promise.resolve()
    expect(freshJudge.asked).toEqual([])
  })

  it('judges every channel of a large sweep, a batch per event-loop turn', async () => {
    const { tracker, swap } = trackerWith(A)
    const sockets = Array.from({ length: 200 }, () => new PassThrough())
    for (const s of sockets) tracker.opened(s, FAR, 600, A, judgeOf({ B: 'close' }))
    swap(B)
    expect(sockets.filter((s) => s.destroyed).length).toBeLessThan(200) // not all in the reload's own turn
    await until(() => sockets.every((s) => s.destroyed), 'every channel to be judged')
    await until(() => tracker.count() === 0, 'the closed channels to leave the tracker')
  })
})
