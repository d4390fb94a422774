// Token validation: the configuration a validator compares tokens against, prepared once at start-up so the
// request path does set lookups only (issue 6: no per-request normalisation of our own names).
import type { GatewayConfig } from '../schema/index.js'
import { normaliseHost } from './principal.js'

/** What every check compares against; immutable, built by createValidationSettings. */
export interface ValidationSettings {
  /** Our principal id, lowercase. */
  readonly serviceId: string
  /** service.realm plus service.realmAliases, lowercase. Never contains '*' or ''. */
  readonly acceptedRealms: ReadonlySet<string>
  /** service.publicHosts, normalised like `aud` hosts (lowercase, no :443/:80, punycode). */
  readonly publicHosts: ReadonlySet<string>
  readonly clockSkewSec: number
  readonly maxLifetimeSec: number
  readonly maxTokenBytes: number
  readonly cacheMaxEntries: number
}

/** Normalise again even though config already did: the comparison must not depend on another module's rules. */
export function createValidationSettings(
  service: GatewayConfig['service'],
  tokens: GatewayConfig['tokens'],
): ValidationSettings {
  const realms = [service.realm, ...service.realmAliases].map((r) => r.toLowerCase())
  const hosts = service.publicHosts.map(normaliseHost)
  return Object.freeze({
    serviceId: service.id.toLowerCase(),
    acceptedRealms: new Set(realms.filter((r) => r !== '' && r !== '*')),
    publicHosts: new Set(hosts.filter((h) => h !== '')),
    clockSkewSec: tokens.clockSkewSec,
    maxLifetimeSec: tokens.maxLifetimeSec,
    maxTokenBytes: tokens.maxTokenBytes,
    cacheMaxEntries: tokens.cacheMaxEntries,
  })
}
