// Who we trust: a partner registered by metadata URL. Holds its key snapshot and runs the single-flight fetch,
// the on-miss refetch cooldown, background refresh and last-known-good ageing (issue 2 §5, docs/PROTOCOL.md §1.6 step 5).
import type { PartnerConfig } from '../schema/index.js'
import { buildKeySet, sameKeys, warnAboutValidity } from './key-set.js'
import { fetchMetadataDocument } from './metadata-fetch.js'
import { fetchOptionsFor, judgeDocument, loadMetadata, type LoadOutcome } from './metadata-load.js'
import type { ParsedMetadata } from './metadata-parse.js'
import { createEmitter, type PartnerDeps } from './partner-deps.js'
import { computeState, registeredIdentity } from './partner-state.js'
import { snapshotProblem } from './snapshot.js'
import { createRefreshTimer, refreshDelayMs, retryDelayMs } from './refresh-schedule.js'
import type { KeySet, Partner, PartnerIdentity, PartnerSeed, PendingFetch } from './types.js'

export { createStaticPartner } from './static-partner.js'

interface Flight {
  promise: Promise<boolean>
  onDemand: boolean
}

interface MetadataState {
  keySet: KeySet | undefined
  accepted: PartnerIdentity | undefined
  lastFetch: { at: number; ok: boolean; error?: string; detail?: string } | undefined
  /** Start of the last attempt of any kind, epoch ms (ensureLoaded's cooldown). */
  lastAttemptAt: number | undefined
  /** Start of the last on-demand refetch, epoch ms (refetchOnMiss's cooldown). */
  lastOnDemandAt: number | undefined
  failures: number
  /** The keys came from a snapshot on disk and no fetch has succeeded since. */
  fromSnapshot: boolean
  /** The snapshot is consulted once per partner object: after its first failed fetch. */
  snapshotTried: boolean
  flight: Flight | undefined
  started: boolean
  closed: boolean
}

export function createMetadataPartner(config: PartnerConfig, deps: PartnerDeps): Partner {
  const url = config.metadataUrl
  if (url === undefined) throw new Error(`partner ${config.name}: metadataUrl is required`)
  const { metadata, now, log } = deps
  const partner = config.name
  const emit = createEmitter(partner, deps.events, log)
  const timer = createRefreshTimer(now)
  const random = deps.random ?? Math.random
  const cooldownMs = metadata.refetchCooldownSec * 1000
  const request = { url, options: fetchOptionsFor(config, metadata, deps.caPem), fetchDocument: deps.fetchDocument ?? fetchMetadataDocument, config }
  const seed = deps.seed
  // Only the schedule is read from the seed later: keeping the seed itself would keep its predecessor's promises.
  let refreshDueAt = seed?.refreshDueAt
  const s: MetadataState = {
    keySet: seed?.keySet, accepted: seed?.accepted, lastFetch: seed?.lastFetch, lastAttemptAt: seed?.lastFetch.at,
    lastOnDemandAt: seed?.lastOnDemandAt, failures: seed?.failures ?? 0, fromSnapshot: seed?.fromSnapshot === true,
    snapshotTried: seed !== undefined, flight: undefined, started: false, closed: false,
  }
  if (seed?.pending !== undefined) s.flight = shareFlight(seed.pending)
  if (config.tls.insecureSkipVerify) log.warn({ partner }, 'TLS verification of the metadata URL is disabled (tls.insecureSkipVerify)')
  const state = () => computeState(s, now(), metadata.maxStaleSec)
  // One object per accepted document (the validator asks on every request), not one per call.
  let shown = { from: s.accepted, identity: registeredIdentity(config, s.accepted) }
  const identity = (): PartnerIdentity | undefined => {
    if (shown.from !== s.accepted) shown = { from: s.accepted, identity: registeredIdentity(config, s.accepted) }
    return shown.identity
  }
  const keys = (): KeySet | undefined => {
    const current = state()
    return current === 'ok' || current === 'stale' || current === 'snapshot' ? s.keySet : undefined
  }

  /** Single-flight: every caller while a fetch runs shares its promise. Resolves true when new keys were installed. */
  function runFetch(onDemand: boolean): Promise<boolean> {
    if (s.flight !== undefined) return s.flight.promise
    const promise = attempt(onDemand)
      .catch((err: unknown) => {
        log.error({ partner, err }, 'partner metadata refresh crashed')
        return false
      })
      .finally(() => {
        s.flight = undefined
      })
    s.flight = { promise, onDemand }
    return promise
  }

  async function attempt(onDemand: boolean): Promise<boolean> {
    s.lastAttemptAt = now()
    const outcome = await loadMetadata({ ...request, accepted: s.accepted, onDemand })
    let changed = false
    if (outcome.result === 'ok') {
      changed = install(outcome.parsed)
      saveSnapshot(outcome.document)
    } else {
      if (s.keySet === undefined && !s.snapshotTried) changed = await restoreSnapshot()
      recordFailure(outcome)
    }
    emit.state(state())
    if (s.started && !s.closed) armTimer()
    return changed
  }

  /**
   * The predecessor's fetch in flight becomes ours: joiners wait for it as for any flight, and when it is done we
   * take over the predecessor's state, so a key it brought is not lost with it, nor its spent cooldown kept without
   * the key (README "Rotation promise"). A further fetch it started meanwhile is followed in turn.
   */
  function shareFlight(pending: PendingFetch): Flight {
    const follow = async (next: PendingFetch): Promise<boolean> => {
      const handed = await next.settled
      if (handed === undefined) return false // its keys went unusable meanwhile: ours age the same way
      const changed = takeOver(handed)
      return handed.pending === undefined ? changed : (await follow(handed.pending)) || changed
    }
    const promise = follow(pending)
      .catch((err: unknown) => {
        log.error({ partner, err }, 'partner metadata hand-over crashed')
        return false
      })
      .finally(() => {
        s.flight = undefined
        emit.state(state())
        if (s.started && !s.closed && s.lastFetch !== undefined) armTimer(refreshDueAt)
      })
    return { promise, onDemand: pending.onDemand }
  }

  function takeOver(handed: PartnerSeed): boolean {
    const changed = !sameKeys(s.keySet, handed.keySet)
    Object.assign(s, {
      keySet: handed.keySet, accepted: s.accepted ?? handed.accepted, lastFetch: { ...handed.lastFetch }, lastAttemptAt: handed.lastFetch.at,
      lastOnDemandAt: handed.lastOnDemandAt, failures: handed.failures, fromSnapshot: handed.fromSnapshot === true,
    })
    refreshDueAt = handed.refreshDueAt
    // The predecessor logged the installation already.
    if (changed) log.debug({ partner, x5t: handed.keySet.all.map((k) => k.x5t) }, 'partner signing keys taken over from the replaced configuration')
    return changed
  }

  function install(parsed: ParsedMetadata): boolean {
    const at = now()
    const next = buildKeySet(parsed.keys, at)
    const changed = !sameKeys(s.keySet, next)
    Object.assign(s, { keySet: next, accepted: s.accepted ?? parsed.identity, lastFetch: { at, ok: true }, failures: 0, fromSnapshot: false })
    if (changed) {
      log.info({ partner, x5t: next.all.map((k) => k.x5t) }, 'partner signing keys installed')
      for (const warning of parsed.warnings) log.warn({ partner, warning }, 'partner metadata document')
      warnAboutValidity(next, partner, at, log)
    } else {
      log.debug({ partner, x5t: next.all.map((k) => k.x5t) }, 'partner metadata fetched; keys unchanged')
    }
    emit.fetch('ok')
    return changed
  }

  function saveSnapshot(document: unknown): void {
    const snapshots = deps.snapshots
    if (snapshots === undefined || s.lastFetch === undefined) return
    void snapshots.store.write(snapshots.kind, partner, { url: request.url, fetchedAt: s.lastFetch.at, document })
  }

  /**
   * The first fetch failed and there are no keys: try the document saved by an earlier run. It must come from the
   * URL configured now, be younger than maxStaleSec and pass the parser and the pins like a fetched document.
   */
  async function restoreSnapshot(): Promise<boolean> {
    s.snapshotTried = true
    const snapshots = deps.snapshots
    if (snapshots === undefined) return false
    const snapshot = await snapshots.store.read(snapshots.kind, partner)
    if (snapshot === undefined || s.keySet !== undefined) return false
    const why = snapshotProblem(snapshot, request.url, now(), metadata.maxStaleSec)
    if (why !== undefined) {
      log.warn({ partner, why }, 'metadata snapshot ignored')
      return false
    }
    const judged = judgeDocument(snapshot.document, config, s.accepted)
    if (judged.result !== 'ok') {
      log.error({ partner, reason: judged.reason }, 'metadata snapshot refused')
      return false
    }
    const next = buildKeySet(judged.parsed.keys, Math.min(snapshot.fetchedAt, now()))
    Object.assign(s, { keySet: next, accepted: s.accepted ?? judged.parsed.identity, fromSnapshot: true })
    snapshots.onRestore?.(snapshot.document)
    log.warn({ partner, ageSec: Math.round((now() - snapshot.fetchedAt) / 1000), x5t: next.all.map((k) => k.x5t) }, 'metadata fetch failed; serving keys from the snapshot on disk')
    return true
  }

  function recordFailure(outcome: Exclude<LoadOutcome, { result: 'ok' }>): false {
    const detail = 'detail' in outcome && outcome.detail !== undefined ? { detail: outcome.detail } : {}
    s.lastFetch = { at: now(), ok: false, error: outcome.reason, ...detail }
    s.failures += 1
    const found = 'found' in outcome && outcome.found !== undefined ? { documentIssuer: `${outcome.found.id}@${outcome.found.realm}` } : {}
    const message = outcome.result === 'refused' ? 'partner metadata document refused, keeping previous keys' : 'partner metadata fetch failed'
    log.warn({ partner, reason: outcome.reason, ...detail, state: state(), ...found }, message)
    emit.fetch(outcome.result, outcome.reason)
    return false
  }

  function armTimer(dueAt?: number): void {
    const ok = s.lastFetch?.ok === true
    const delay = dueAt !== undefined ? dueAt - now() : ok ? refreshDelayMs(metadata, random) : retryDelayMs(metadata, Math.max(s.failures, 1))
    timer.arm(delay, () => {
      emit.state(state())
      void runFetch(false)
    })
  }

  /** Timers start with the first ensureLoaded (or loadAll), so building a registry has no side effects. */
  function start(): void {
    if (s.started || s.closed) return
    s.started = true
    // A seeded partner keeps its predecessor's schedule, so frequent reloads cannot postpone refreshes.
    if (s.flight === undefined && s.lastFetch !== undefined) armTimer(refreshDueAt)
  }

  /**
   * What the successor starts from. A fetch in flight is handed over too: it installs its keys here, in a partner
   * about to be closed, and the successor would otherwise keep the old keys with the cooldown it spent.
   */
  function handOver(): PartnerSeed | undefined {
    if (s.keySet === undefined || s.lastFetch === undefined || state() === 'failed') return undefined
    const { keySet, accepted, lastFetch, failures, lastOnDemandAt, fromSnapshot, flight } = s
    const seed: PartnerSeed = { keySet, accepted, lastFetch: { ...lastFetch }, failures, refreshDueAt: timer.dueAt(), lastOnDemandAt, fromSnapshot }
    if (flight !== undefined) seed.pending = { onDemand: flight.onDemand, settled: flight.promise.then(handOver) }
    return seed
  }

  return {
    name: partner,
    config,
    trustLevel: config.trustLevel,
    acceptSid: config.acceptSid,
    identity,
    keys,
    state,
    retryAfterSec() {
      const capSec = Math.max(1, Math.ceil(metadata.refetchCooldownSec))
      if (s.flight !== undefined || s.lastAttemptAt === undefined) return 1
      const due = timer.dueAt()
      const next = Math.min(s.lastAttemptAt + cooldownMs, due ?? Number.POSITIVE_INFINITY)
      return Math.min(capSec, Math.max(1, Math.ceil((next - now()) / 1000)))
    },
    async ensureLoaded() {
      start()
      if (keys() !== undefined) return
      if (s.flight !== undefined) return void (await s.flight.promise)
      if (s.lastAttemptAt === undefined || now() - s.lastAttemptAt >= cooldownMs) await runFetch(false)
    },
    async refetchOnMiss() {
      const joined = s.flight
      if (joined?.onDemand === true) return joined.promise
      // A background or initial fetch may have started before the partner rotated: if it brings nothing new,
      // the on-demand budget is still ours to spend (issue 2 §5: zero failed requests on rotation).
      if (joined !== undefined && (await joined.promise)) return true
      if (s.flight !== undefined) return s.flight.promise
      if (s.lastOnDemandAt !== undefined && now() - s.lastOnDemandAt < cooldownMs) {
        emit.suppressed()
        return false
      }
      s.lastOnDemandAt = now()
      return runFetch(true)
    },
    refreshNow: () => runFetch(false),
    lastFetch: () => (s.lastFetch === undefined ? undefined : { ...s.lastFetch }),
    handOver,
    close() {
      s.closed = true
      timer.clear()
    },
  }
}
