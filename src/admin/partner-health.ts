// Admin: per-partner key state as reported by /readyz and the status page. No secrets: names, states, counts,
// x5t values and times only.
import type { KeyState, Partner } from '../partners/index.js'

/** The colour a partner is shown in: ok is healthy, stale (or snapshot) serves last-known-good keys, failed has none. */
export type HealthClass = 'healthy' | 'stale' | 'failing' | 'loading'

export function partnerHealthClass(state: KeyState): HealthClass {
  if (state === 'ok') return 'healthy'
  if (state === 'failed') return 'failing'
  if (state === 'snapshot') return 'stale'
  return state
}

export interface PartnerHealth {
  name: string
  state: string
  health: HealthClass
  keys: number
  x5t: string[]
  keysAgeSec: number | null
  /** "from snapshot, age N s" while the keys come from metadata.cacheDir (issue 14 §2). */
  source?: string
  lastFetch: { at: string; ok: boolean; error?: string; detail?: string } | null
}

export function partnerHealth(partners: readonly Partner[], nowMs: number): PartnerHealth[] {
  return partners.map((partner) => {
    const keys = partner.keys()
    const last = partner.lastFetch()
    const state = partner.state()
    return {
      name: partner.name,
      state,
      health: partnerHealthClass(state),
      keys: keys?.all.length ?? 0,
      x5t: keys?.all.map((k) => k.x5t) ?? [],
      keysAgeSec: keys === undefined ? null : Math.round((nowMs - keys.loadedAt) / 1000),
      ...(state === 'snapshot' && keys !== undefined ? { source: snapshotText(nowMs - keys.loadedAt) } : {}),
      lastFetch: last === undefined ? null : { at: new Date(last.at).toISOString(), ok: last.ok, ...(last.error === undefined ? {} : { error: last.error }), ...(last.detail === undefined ? {} : { detail: last.detail }) },
    }
  })
}

/** What /readyz and the status page say of keys restored from disk. */
export function snapshotText(ageMs: number): string {
  return `from snapshot, age ${Math.max(0, Math.round(ageMs / 1000))} s`
}
