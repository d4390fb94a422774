// Admin: recent traffic per partner for the status page: a small ring of per-minute counters (requests and
// rejections), bounded in time (`minutes` slots) and in keys (registered partner names, or 'unknown').

export interface MinuteCounts {
  requests: number
  rejections: number
}

export interface ActivitySummary {
  /** Oldest first, one entry per minute, the current (partial) minute last. */
  perMinute: MinuteCounts[]
  total: MinuteCounts
}

export interface Activity {
  /** Window length in minutes. */
  readonly minutes: number
  record(partner: string, rejected: boolean): void
  summary(partner: string): ActivitySummary
}

interface Slot {
  minute: number
  counts: Map<string, MinuteCounts>
}

/** Default window: 15 minutes. `now` is the clock, epoch ms. */
export function createActivity(opts: { minutes?: number; now?: () => number } = {}): Activity {
  const minutes = Math.max(1, opts.minutes ?? 15)
  const now = opts.now ?? Date.now
  const slots: Slot[] = Array.from({ length: minutes }, () => ({ minute: -1, counts: new Map() }))
  const slotFor = (minute: number): Slot => slots[((minute % minutes) + minutes) % minutes] as Slot

  return {
    minutes,
    record(partner, rejected) {
      const minute = Math.floor(now() / 60_000)
      const slot = slotFor(minute)
      if (slot.minute !== minute) {
        slot.minute = minute
        slot.counts.clear()
      }
      let counts = slot.counts.get(partner)
      if (counts === undefined) {
        counts = { requests: 0, rejections: 0 }
        slot.counts.set(partner, counts)
      }
      counts.requests += 1
      if (rejected) counts.rejections += 1
    },
    summary(partner) {
      const current = Math.floor(now() / 60_000)
      const perMinute: MinuteCounts[] = []
      const total = { requests: 0, rejections: 0 }
      for (let minute = current - minutes + 1; minute <= current; minute++) {
        const slot = slotFor(minute)
        const counts = slot.minute === minute ? slot.counts.get(partner) : undefined
        const entry = { requests: counts?.requests ?? 0, rejections: counts?.rejections ?? 0 }
        perMinute.push(entry)
        total.requests += entry.requests
        total.rejections += entry.rejections
      }
      return { perMinute, total }
    },
  }
}
