// Who we trust: a partner registered by application id, realm and certificate files (no metadata URL).
// Its keys never change at runtime; a config reload builds a new one. Used by registry.ts.
import type { PartnerConfig } from '../schema/index.js'
import { buildKeySet, warnAboutValidity } from './key-set.js'
import type { PartnerDeps } from './partner-deps.js'
import { pinnedIdentity } from './partner-state.js'
import type { Partner } from './types.js'
import type { SigningKey } from '../certs/index.js'

/** `keys` are the parsed certificate files. State is always 'ok'; refetches resolve false. */
export function createStaticPartner(
  config: PartnerConfig,
  keys: readonly SigningKey[],
  deps: Pick<PartnerDeps, 'now' | 'log'>,
): Partner {
  const loadedAt = deps.now()
  const keySet = buildKeySet(keys, loadedAt)
  const identity = pinnedIdentity(config)
  if (identity === undefined) deps.log.warn({ partner: config.name }, 'static partner has no applicationId and realm; it matches no token')
  warnAboutValidity(keySet, config.name, loadedAt, deps.log)
  return {
    name: config.name,
    config,
    trustLevel: config.trustLevel,
    acceptSid: config.acceptSid,
    identity: () => identity,
    keys: () => keySet,
    state: () => 'ok',
    retryAfterSec: () => 1,
    ensureLoaded: () => Promise.resolve(),
    refetchOnMiss: () => Promise.resolve(false),
    refreshNow: () => Promise.resolve(false),
    lastFetch: () => undefined,
    close: () => {},
  }
}
