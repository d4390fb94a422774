// Token validation, step 4 (docs/PROTOCOL.md §4.4): find the registered partner named by the actor's iss and check
// the issuer realm. An unknown issuer is refused, with no fallback to any other key or partner.
import { GatewayError, tokenInvalid } from '../errors/index.js'
import type { Partner, PartnerIdentity, PartnerRegistry } from '../partners/index.js'
import { andThen, type MaybePromise } from './maybe-async.js'
import type { Principal } from './principal.js'
import type { ValidationSettings } from './settings.js'

/** Retry-After when no unidentified partner tells us better. */
const DEFAULT_RETRY_AFTER_SEC = 5

/** The shortest retry hint among partners whose identity is still unknown. */
function unidentifiedRetryAfterSec(registry: PartnerRegistry): number {
  let best = Infinity
  for (const partner of registry.all()) {
    if (partner.identity() === undefined) best = Math.min(best, partner.retryAfterSec())
  }
  return Number.isFinite(best) ? Math.max(1, best) : DEFAULT_RETRY_AFTER_SEC
}

/**
 * Look the issuer up. While some metadata partner has not told us its id yet, an unknown id may be theirs:
 * load them (single-flight and cooldown-limited inside the registry) and look again; if still unknown and still
 * unidentified, answer 503, since we cannot tell whether the token is theirs. Synchronous when found at once.
 */
function findPartner(registry: PartnerRegistry, issuerId: string): MaybePromise<Partner> {
  const partner = registry.findById(issuerId)
  if (partner !== undefined) return partner
  if (registry.hasUnidentifiedPartners()) return loadAndFind(registry, issuerId)
  throw tokenInvalid('issuer_unknown')
}

async function loadAndFind(registry: PartnerRegistry, issuerId: string): Promise<Partner> {
  await registry.loadAll()
  const loaded = registry.findById(issuerId)
  if (loaded !== undefined) return loaded
  if (registry.hasUnidentifiedPartners()) {
    throw new GatewayError('GW_PARTNER_UNAVAILABLE', { detail: { retryAfterSec: unidentifiedRetryAfterSec(registry) } })
  }
  throw tokenInvalid('issuer_unknown')
}

/**
 * A partner found by a pinned applicationId without a pinned realm learns its realm from its first document:
 * until that loads, the token may well be theirs, so the answer is 503 (retry), not 401.
 */
function identityOf(partner: Partner): MaybePromise<PartnerIdentity> {
  return partner.identity() ?? loadIdentity(partner)
}

async function loadIdentity(partner: Partner): Promise<PartnerIdentity> {
  await partner.ensureLoaded()
  const loaded = partner.identity()
  if (loaded !== undefined) return loaded
  throw new GatewayError('GW_PARTNER_UNAVAILABLE', { detail: { partner: partner.name, retryAfterSec: partner.retryAfterSec() } })
}

function checkRealm(partner: Partner, identity: PartnerIdentity, issuer: Principal, settings: ValidationSettings): Partner {
  const partnerRealm = identity.realm.toLowerCase()
  const realmOk = partnerRealm === '*' ? settings.acceptedRealms.has(issuer.realm) : partnerRealm === issuer.realm
  if (!realmOk) throw tokenInvalid('issuer_realm', { partner: partner.name })
  return partner
}

/**
 * The partner that issued the token, after checking the issuer realm: equal to the partner's realm, or, for a
 * multi-tenant partner (realm '*'), one of our accepted realms (§4.4, §7.7). Returns at once for a known,
 * identified partner (the usual case); a promise only while partners still load.
 * @throws GatewayError GW_TOKEN_INVALID 'issuer_unknown' | 'issuer_realm', or GW_PARTNER_UNAVAILABLE (thrown, or
 *   as the rejection of the returned promise)
 */
export function lookupPartner(registry: PartnerRegistry, issuer: Principal, settings: ValidationSettings): MaybePromise<Partner> {
  return andThen(findPartner(registry, issuer.id), (partner) =>
    andThen(identityOf(partner), (identity) => checkRealm(partner, identity, issuer, settings)),
  )
}
