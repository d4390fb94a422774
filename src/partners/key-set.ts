// Who we trust: build the immutable KeySet snapshot the token validator reads, and compare snapshots so a
// refetch can tell whether it brought new keys. Used by partner.ts and static-partner.ts.
import type { Logger } from '../log/index.js'
import type { KeySet } from './types.js'
import type { SigningKey } from '../certs/index.js'

/** A new snapshot; keys with the same x5t collapse to the first. */
export function buildKeySet(keys: readonly SigningKey[], loadedAt: number): KeySet {
  const byX5t = new Map<string, SigningKey>()
  for (const key of keys) if (!byX5t.has(key.x5t)) byX5t.set(key.x5t, key)
  return { byX5t, all: [...byX5t.values()], loadedAt }
}

/** True when both snapshots hold exactly the same certificates (by x5t). */
export function sameKeys(a: KeySet | undefined, b: KeySet | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.byX5t.size !== b.byX5t.size) return false
  for (const x5t of a.byX5t.keys()) if (!b.byX5t.has(x5t)) return false
  return true
}

/**
 * Warn about certificates outside their validity period. They are kept: whether Microsoft consumers reject
 * expired metadata certificates is unconfirmed, so we warn and do not fail (docs/PROTOCOL.md §1.6 step 4).
 */
export function warnAboutValidity(keys: KeySet, partner: string, now: number, log: Logger): void {
  for (const key of keys.all) {
    if (key.notAfter < now) {
      log.warn({ partner, x5t: key.x5t, notAfter: new Date(key.notAfter).toISOString() }, 'partner signing certificate has expired')
    } else if (key.notBefore > now) {
      log.warn({ partner, x5t: key.x5t, notBefore: new Date(key.notBefore).toISOString() }, 'partner signing certificate is not yet valid')
    }
  }
}
