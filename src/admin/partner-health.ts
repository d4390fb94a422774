// Admin: per-partner key state as reported by /readyz (and later the status page). No secrets: names,
// states, counts, x5t values and times only.
import type { Partner } from '../partners/types.js'

export interface PartnerHealth {
  name: string
  state: string
  keys: number
  x5t: string[]
  keysAgeSec: number | null
  lastFetch: { at: string; ok: boolean; error?: string } | null
}

export function partnerHealth(partners: readonly Partner[], nowMs: number): PartnerHealth[] {
  return partners.map((partner) => {
    const keys = partner.keys()
    const last = partner.lastFetch()
    return {
      name: partner.name,
      state: partner.state(),
      keys: keys?.all.length ?? 0,
      x5t: keys?.all.map((k) => k.x5t) ?? [],
      keysAgeSec: keys === undefined ? null : Math.round((nowMs - keys.loadedAt) / 1000),
      lastFetch: last === undefined ? null : { at: new Date(last.at).toISOString(), ok: last.ok, ...(last.error === undefined ? {} : { error: last.error }) },
    }
  })
}
