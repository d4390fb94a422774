// Who we trust: the pure rules behind a metadata partner's state: last-known-good ageing and pinned identity.
// Used by partner.ts; kept apart so the rules read in one place.
import type { PartnerConfig } from '../schema/index.js'
import type { KeySet, KeyState, PartnerIdentity } from './types.js'

export interface StateInputs {
  keySet: KeySet | undefined
  lastFetch: { ok: boolean } | undefined
  /** The keys came from a snapshot on disk and no fetch has succeeded since. */
  fromSnapshot?: boolean
}

/**
 * 'loading' until the first attempt completes; 'failed' without keys or when the last-known-good keys are
 * maxStaleSec old (measured from the last successful fetch); 'snapshot' while serving keys restored from disk;
 * 'stale' while the last attempt failed; else 'ok'.
 */
export function computeState(inputs: StateInputs, now: number, maxStaleSec: number): KeyState {
  const { keySet, lastFetch } = inputs
  if (keySet === undefined) return lastFetch === undefined ? 'loading' : 'failed'
  if (now - keySet.loadedAt >= maxStaleSec * 1000) return 'failed'
  if (inputs.fromSnapshot === true) return 'snapshot'
  return lastFetch?.ok === true ? 'ok' : 'stale'
}

/**
 * The identity tokens are checked against: the accepted document's, except that a registration with realm "*"
 * stays "*" (any of our realms, docs/PROTOCOL.md §4.4) whatever realm the document names; before a document, the
 * one pinned by config. A concrete pinned realm needs no such care: a document naming another is refused.
 */
export function registeredIdentity(config: PartnerConfig, accepted: PartnerIdentity | undefined): PartnerIdentity | undefined {
  if (accepted === undefined) return pinnedIdentity(config)
  return config.realm === '*' && accepted.realm !== '*' ? { id: accepted.id, realm: '*' } : accepted
}

/** The identity fixed by config, when both applicationId and realm are given (lowercased). */
export function pinnedIdentity(config: PartnerConfig): PartnerIdentity | undefined {
  if (config.applicationId === undefined || config.realm === undefined) return undefined
  return { id: config.applicationId.toLowerCase(), realm: config.realm.toLowerCase() }
}
