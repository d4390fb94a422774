// Token validation, the hot path (issue 6): a bounded cache of fully verified tokens, keyed by a SHA-256 of the
// token. A hit costs a hash and a map lookup, no JSON and no RSA, yet re-checks time, partner and key each time.
import { hash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Partner, PartnerRegistry } from '../partners/index.js'
import { assertWithin } from './time.js'
import { enforceTrustPolicy } from './trust-policy.js'
import type { Identity } from '../identity/index.js'
import type { VerifiedToken } from './verified.js'

export interface TokenCacheOptions {
  /** tokens.cacheMaxEntries; 0 disables the cache (createTokenCache returns undefined). */
  maxEntries: number
  clockSkewSec: number
  registry: PartnerRegistry
}

export interface TokenCache {
  /** base64url SHA-256 of the token: compute once per request, pass to lookup and store. */
  keyOf(token: string): string
  /**
   * The cached Identity when still valid; undefined on a miss or when a partner reload, removal, or key
   * rotation/revocation invalidated the entry (the caller then verifies the token in full).
   * @throws GatewayError GW_TOKEN_INVALID 'expired' | 'not_yet_valid', GW_NOT_ALLOWED (trust policy re-applied)
   */
  lookup(key: string, nowSec: number): Identity | undefined
  /** Keep a fully verified token until its effective expiry plus skew. */
  store(key: string, verified: VerifiedToken, nowMs: number): void
}

/**
 * The key of a token's text in the verified-token cache, the rejection memo and the signature memo: its SHA-256,
 * base64url. One-shot crypto.hash (Node >= 20.12): no Hash object per request, about 1 µs less than createHash().
 */
export function tokenKeyOf(text: string): string {
  return hash('sha256', text, 'base64url')
}

/**
 * registry.findById for the hit path, remembered per id once no partner is waiting for its identity: a registry
 * is never mutated (a reload builds a new one, and a new cache), and identities only go from unknown to known,
 * so from then on the answer for an id can no longer change. Until then every call asks the registry.
 */
function memoizeOnceIdentified(registry: PartnerRegistry): (idLower: string) => Partner | undefined {
  const known = new Map<string, Partner | undefined>()
  let settled = false
  return (id) => {
    if (!settled) {
      settled = !registry.hasUnidentifiedPartners()
      if (!settled) return registry.findById(id)
    }
    if (known.has(id)) return known.get(id)
    const partner = registry.findById(id)
    known.set(id, partner) // ids come from verified tokens, so at most one entry per registered partner
    return partner
  }
}

/**
 * The verified-token cache, or undefined when disabled. Entries expire (lru-cache TTL) at the token's effective
 * expiry plus skew; lookups check time against the injected clock regardless.
 */
export function createTokenCache(opts: TokenCacheOptions): TokenCache | undefined {
  if (!(opts.maxEntries > 0)) return undefined
  const skewSec = opts.clockSkewSec
  // No ttlAutopurge (no timers); the TTL only frees memory early, lookup's own time check is authoritative.
  const entries = new LRUCache<string, VerifiedToken>({ max: opts.maxEntries })

  const findPartner = memoizeOnceIdentified(opts.registry)

  /**
   * The same partner object still registered under this id, and it (or the authorization server that issued the
   * token) still publishes the key that verified. A server's partners are fixed per registry: no lookup needed.
   */
  function isStillTrusted(entry: VerifiedToken): boolean {
    const { identity, partner, keyHolder } = entry
    return (keyHolder !== partner || findPartner(identity.partnerId) === partner) && keyHolder.keys()?.byX5t.has(identity.x5t) === true
  }

  return {
    keyOf: tokenKeyOf,
    lookup(key, nowSec) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (!isStillTrusted(entry)) {
        entries.delete(key)
        return undefined
      }
      const { identity } = entry
      try {
        assertWithin(identity.notBefore, identity.expiresAt, nowSec, skewSec)
      } catch (err) {
        entries.delete(key)
        throw err
      }
      enforceTrustPolicy(entry.partner, identity.authType, entry.trustedForDelegation)
      return identity
    },
    store(key, verified, nowMs) {
      const ttl = Math.floor((verified.identity.expiresAt + skewSec) * 1000 - nowMs)
      if (ttl >= 1) entries.set(key, verified, { ttl })
    },
  }
}
