// Who we trust: what a partner needs from outside (config, clock, fetcher, logger, metric hooks), and a guarded
// emitter so a failing metrics hook can never break key loading. Used by partner.ts, static-partner.ts, registry.ts.
import type { GatewayConfig } from '../schema/index.js'
import type { Logger } from '../log/index.js'
import type { FetchDocument } from './metadata-fetch.js'
import type { SnapshotKind, SnapshotStore } from './snapshot.js'
import type { KeyState } from './types.js'
import type { PartnerSeed } from './types.js'

/** Where a metadata partner keeps its last-known-good document on disk (metadata.cacheDir), and under which kind. */
export interface PartnerSnapshots {
  store: SnapshotStore
  kind: SnapshotKind
  /** Sees a snapshot's document once it passed the checks (authorization servers read their issuance endpoint). */
  onRestore?: (document: unknown) => void
}

/** Hooks for metrics (admin/). Called synchronously; exceptions are logged and swallowed. */
export interface PartnerEvents {
  /** One per completed metadata fetch. `reason` is a fixed short code ('timeout', 'pinned_mismatch', ...). */
  onFetch?(partner: string, result: 'ok' | 'error' | 'refused', reason?: string): void
  /** An on-demand refetch was refused by the per-partner cooldown. */
  onRefetchSuppressed?(partner: string): void
  /** The partner's KeyState changed (observed after a fetch or when a background timer fires). */
  onStateChange?(partner: string, state: KeyState): void
}

export interface PartnerDeps {
  metadata: GatewayConfig['metadata']
  /** Clock, epoch ms. */
  now: () => number
  /** Default fetchMetadataDocument. */
  fetchDocument?: FetchDocument
  log: Logger
  events?: PartnerEvents
  /** [0, 1) source for refresh jitter. Default Math.random. */
  random?: () => number
  /** Contents of the partner's tls.caFile (read by the registry). */
  caPem?: string
  /** State of the partner this one replaces after a reload (same metadata source). */
  seed?: PartnerSeed
  /** Absent: last-known-good keys live in memory only. */
  snapshots?: PartnerSnapshots
}

export interface PartnerEmitter {
  fetch(result: 'ok' | 'error' | 'refused', reason?: string): void
  suppressed(): void
  /** Emits onStateChange only when `state` differs from the last one reported (initially 'loading'). */
  state(state: KeyState): void
}

export function createEmitter(partner: string, events: PartnerEvents | undefined, log: Logger): PartnerEmitter {
  let reported: KeyState = 'loading'
  const guard = (hook: string, call: () => void): void => {
    try {
      call()
    } catch (err) {
      log.error({ partner, hook, err }, 'partner event hook failed')
    }
  }
  return {
    fetch: (result, reason) =>
      guard('onFetch', () => (reason === undefined ? events?.onFetch?.(partner, result) : events?.onFetch?.(partner, result, reason))),
    suppressed: () => guard('onRefetchSuppressed', () => events?.onRefetchSuppressed?.(partner)),
    state(state) {
      if (state === reported) return
      reported = state
      guard('onStateChange', () => events?.onStateChange?.(partner, state))
    },
  }
}
