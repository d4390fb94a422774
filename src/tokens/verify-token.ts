// Token validation, the full path for a token not in the cache (docs/PROTOCOL.md §4 steps 1-10): key-free checks
// first (cheap rejection), then the partner's signature, then the trust policy, then the Identity.
import type { Logger } from '../log/index.js'
import type { Partner, PartnerRegistry } from '../partners/index.js'
import type { SigningKey } from '../certs/index.js'
import { checkActorClaims, type ActorClaims } from './actor-claims.js'
import { matchAuthorizationServers, verifyAuthzToken, type AuthzTrust } from './authz-verify.js'
import { classifyToken, type ClassifiedToken } from './classify.js'
import { checkOuterClaims, type OuterClaims } from './outer-claims.js'
import { andThen, type MaybePromise } from './maybe-async.js'
import { lookupPartner } from './partner-lookup.js'
import { parsePrincipal } from './principal.js'
import type { ValidationSettings } from './settings.js'
import { verifyActorSignature, type SignatureMemo } from './signature.js'
import { enforceTrustPolicy } from './trust-policy.js'
import type { UserClaims } from '../identity/index.js'
import type { Identity } from '../identity/index.js'
import { applySidPolicy } from './user-claims.js'
import type { ValidationTrace, VerifiedToken } from './verified.js'

export interface VerifyDeps {
  settings: ValidationSettings
  registry: PartnerRegistry
  logger: Logger | undefined
  /** Configured authorization servers (issue 7); undefined when there are none. */
  authz?: AuthzTrust | undefined
  /** Actor tokens known not to verify under a key set (a replayed bad token skips the RSA work). */
  signatureMemo?: SignatureMemo | undefined
}

/** [MS-XOAUTH] examples name the wrapper claim `actort`; no implementation does (§3.2). Note it, ignore it. */
function noteActort(token: ClassifiedToken, deps: VerifyDeps): void {
  if (token.kind === 'user' && token.outer.payload['actort'] !== undefined) {
    deps.logger?.warn({ claim: 'actort' }, 'token carries an actort claim; ignored (actortoken is used)')
  }
}

function buildIdentity(
  partner: Partner,
  actor: ActorClaims,
  outer: OuterClaims | undefined,
  user: UserClaims | undefined,
  key: SigningKey,
): Identity {
  const time = outer?.time ?? actor.time
  const identity: Identity = {
    partner: partner.name,
    partnerId: actor.issuer.id,
    realm: actor.issuer.realm,
    trustLevel: partner.trustLevel,
    authType: user === undefined ? 'app' : 'user',
    x5t: key.x5t,
    notBefore: time.nbf,
    expiresAt: time.exp,
  }
  if (user !== undefined) identity.user = Object.freeze(user)
  return Object.freeze(identity)
}

/**
 * Verify a token completely. `nowSec` is the injected clock, in epoch seconds. Every key-free check runs first and
 * synchronously; the result is ready at once when the partner is loaded and a current key verifies (no async hop),
 * a promise only when keys must be loaded or refetched. `tokenKey` is the verified-token cache's key of `token` when
 * the caller has computed it (validate.ts); it is the signature memo's key of an app-only token too.
 * @throws GatewayError GW_TOKEN_INVALID, GW_NOT_ALLOWED or GW_PARTNER_UNAVAILABLE (thrown, or as the rejection of
 *   the returned promise)
 */
export function verifyToken(token: string, nowSec: number, deps: VerifyDeps, trace: ValidationTrace, tokenKey?: string): MaybePromise<VerifiedToken> {
  const classified = classifyToken(token)
  // An app-only token is its own actor token: the verified-token cache's key of it is the signature memo's key too.
  const actorKey = classified.kind === 'app' ? tokenKey : undefined
  const { authz } = deps
  if (authz === undefined) return verifySelfIssued(classified, nowSec, deps, trace, actorKey)
  // Issue 7: a token whose iss is an authorization server's issuer is recognised first.
  const servers = matchAuthorizationServers(authz, deps.registry, classified.actor.payload['iss'])
  if (servers instanceof Promise || servers.length > 0) {
    return andThen(servers, (found) =>
      found.length === 0 ? verifySelfIssued(classified, nowSec, deps, trace, actorKey) : verifyAuthzToken(classified, found, nowSec, { settings: deps.settings, trust: authz }, trace),
    )
  }
  return verifySelfIssued(classified, nowSec, deps, trace, actorKey)
}

/**
 * A key-free check failed: name the partner the token claims to come from (a registered name, else 'unknown'),
 * so a partner with a wrong clock or audience shows up under its own name in metrics and logs. Done only on
 * failure, so the success path pays nothing.
 */
function attributeClaimedPartner(classified: ClassifiedToken, deps: VerifyDeps, trace: ValidationTrace): void {
  const issuer = parsePrincipal(classified.actor.payload['iss'])
  const partner = issuer === undefined ? undefined : deps.registry.findById(issuer.id)
  if (partner !== undefined) trace.partner = partner.name
}

/** docs/PROTOCOL.md §4: a partner's own (self-issued) token. */
function verifySelfIssued(classified: ClassifiedToken, nowSec: number, deps: VerifyDeps, trace: ValidationTrace, actorKey: string | undefined): MaybePromise<VerifiedToken> {
  let actor: ActorClaims
  let outer: OuterClaims | undefined
  try {
    actor = checkActorClaims(classified.actor.payload, deps.settings, nowSec)
    outer = classified.kind === 'user' ? checkOuterClaims(classified.outer.payload, actor, deps.settings, nowSec) : undefined
  } catch (err) {
    attributeClaimedPartner(classified, deps, trace)
    throw err
  }
  noteActort(classified, deps)
  return andThen(lookupPartner(deps.registry, actor.issuer, deps.settings), (partner) => {
    trace.partner = partner.name
    const user = outer === undefined ? undefined : applySidPolicy(outer.user, partner.acceptSid)
    return andThen(verifyActorSignature(partner, classified.actor, deps.signatureMemo, actorKey), (key): VerifiedToken => {
      enforceTrustPolicy(partner, classified.kind, actor.trustedForDelegation)
      return { identity: buildIdentity(partner, actor, outer, user, key), partner, trustedForDelegation: actor.trustedForDelegation, keyHolder: partner }
    })
  })
}
