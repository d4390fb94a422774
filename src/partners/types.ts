// Who we trust: the types shared by the registry, the key cache and the token validator.
import type { PartnerConfig, TrustLevel } from '../schema/index.js'
import type { SigningKey } from '../certs/index.js'

/** A snapshot of a partner's keys. Replaced whole on every successful (re)load, never mutated. */
export interface KeySet {
  byX5t: ReadonlyMap<string, SigningKey>
  all: readonly SigningKey[]
  /** When these keys were fetched (or loaded from files), epoch ms. */
  loadedAt: number
}

/** What a metadata document (or the manual registration) says about a partner's identity. */
export interface PartnerIdentity {
  /** Principal id, lowercase. */
  id: string
  /** Realm, lowercase, or "*". */
  realm: string
}

export type KeyState =
  | 'loading' // never loaded yet, first fetch in flight or not yet attempted
  | 'ok'
  | 'stale' // last refresh failed, serving last-known-good keys (younger than maxStaleSec)
  | 'snapshot' // no fetch succeeded since start-up, serving last-known-good keys from metadata.cacheDir
  | 'failed' // no usable keys: never loaded, or last-known-good older than maxStaleSec

/** Runtime state of one registered partner, as the validator and the admin routes see it. */
export interface Partner {
  readonly name: string
  readonly config: PartnerConfig
  readonly trustLevel: TrustLevel
  readonly acceptSid: boolean
  /** Known once pinned in config or the first document was accepted. */
  identity(): PartnerIdentity | undefined
  /** Current keys, or undefined when none are usable (state 'loading' or 'failed'). */
  keys(): KeySet | undefined
  state(): KeyState
  /** Seconds a caller should wait before retrying when keys are unavailable. */
  retryAfterSec(): number
  /**
   * Make sure keys are loaded: resolves at once when they are usable, else awaits the (single-flight)
   * initial fetch. Never throws; check keys() afterwards.
   */
  ensureLoaded(): Promise<void>
  /**
   * The on-demand refetch after an unknown x5t or a failed signature: at most one per refetchCooldownSec,
   * one in flight at a time. Resolves true when a new key set was installed (retry verification), false when
   * suppressed by the cooldown or when the fetch failed.
   */
  refetchOnMiss(): Promise<boolean>
  /** Admin "refresh now": fetch immediately, bypassing the cooldown (still single-flight). */
  refreshNow(): Promise<boolean>
  /** Last fetch outcome, for health and status: `error` the fixed reason, `detail` the errno or HTTP status. */
  lastFetch(): { at: number; ok: boolean; error?: string; detail?: string } | undefined
  /** Key state for the partner that replaces this one after a reload; undefined when there is nothing to keep. */
  handOver?(): PartnerSeed | undefined
  /** Stop timers. */
  close(): void
}

export interface PartnerRegistry {
  /** Lookup by principal id (lowercased by the caller). */
  findById(idLower: string): Partner | undefined
  /** True while some metadata partner without a pinned applicationId has not loaded its document yet. */
  hasUnidentifiedPartners(): boolean
  /**
   * True while some metadata partner's identity is not whole: its id, or (applicationId pinned alone) its realm,
   * waits for its first document. Cheap: only the partners still waiting are asked, and they only ever get fewer.
   */
  hasUnknownIdentities(): boolean
  /** Start loading every metadata partner (single-flight each); resolves when all have settled. */
  loadAll(): Promise<void>
  all(): readonly Partner[]
  close(): void
}

/**
 * Key state handed from a partner to its successor when a reload keeps its metadata source unchanged, so a
 * reload neither refetches every document nor drops last-known-good keys while a partner's host is down.
 */
export interface PartnerSeed {
  keySet: KeySet
  accepted: PartnerIdentity | undefined
  lastFetch: { at: number; ok: boolean; error?: string; detail?: string }
  failures: number
  /** When the next background refresh was due, epoch ms (the successor keeps the schedule). */
  refreshDueAt: number | undefined
  /** Start of the last on-demand refetch, epoch ms (the cooldown carries over). */
  lastOnDemandAt: number | undefined
  /** The keys came from a snapshot on disk and no fetch has succeeded since. */
  fromSnapshot?: boolean
  /**
   * A fetch still running in the predecessor when it was replaced (say the on-demand refetch of a rotation): the
   * successor shares it as its own flight and takes over what it brought, its keys and its spent cooldown together.
   */
  pending?: PendingFetch
}

/** A predecessor's fetch in flight: `settled` is the predecessor's hand-over once it is done. */
export interface PendingFetch {
  onDemand: boolean
  settled: Promise<PartnerSeed | undefined>
}
