// Token validation, authorization-server tokens (issue 7): recognise a token whose iss is a configured server's
// issuer (a Map lookup on the issuer id, before the self-issued rules), then check it completely: claims, the
// partner it names (configured with THAT server), the server's signature, the trust policy, the Identity.
import type { AuthorizationServer, AuthorizationServers } from '../auth-servers/index.js'
import { GatewayError, tokenInvalid } from '../errors/index.js'
import type { Partner, PartnerRegistry } from '../partners/index.js'
import { checkAuthzClaims, type AuthzClaims } from './authz-claims.js'
import type { ClassifiedToken } from './classify.js'
import { andThen, type MaybePromise } from './maybe-async.js'
import { parsePrincipal, type Principal } from './principal.js'
import type { ValidationSettings } from './settings.js'
import { verifyActorSignature } from './signature.js'
import { enforceTrustPolicy } from './trust-policy.js'
import type { Identity } from '../identity/index.js'
import { applySidPolicy } from './user-claims.js'
import type { VerifiedToken } from './verified.js'
import type { ValidationTrace } from './verified.js'

/** The servers and the partners configured with each, prepared once per validator (registries never change). */
export interface AuthzTrust {
  servers: AuthorizationServers
  /** Server name -> lowercase application id -> partner with `authorizationServer` set to that server. */
  partners: ReadonlyMap<string, ReadonlyMap<string, Partner>>
}

const NONE: readonly AuthorizationServer[] = []

/** Undefined when no server is configured: then the self-issued path does not even look. */
export function createAuthzTrust(servers: AuthorizationServers | undefined, registry: PartnerRegistry): AuthzTrust | undefined {
  if (servers === undefined || servers.all().length === 0) return undefined
  const partners = new Map<string, Map<string, Partner>>()
  for (const partner of registry.all()) {
    const { authorizationServer: server, applicationId } = partner.config
    if (server === undefined || applicationId === undefined) continue
    const byId = partners.get(server) ?? new Map<string, Partner>()
    if (!byId.has(applicationId.toLowerCase())) byId.set(applicationId.toLowerCase(), partner)
    partners.set(server, byId)
  }
  return { servers, partners }
}

/** The id part of `iss`, lowercased, without validating the rest (the chosen path does that). */
function issuerIdOf(iss: unknown): string | undefined {
  if (typeof iss !== 'string') return undefined
  const at = iss.lastIndexOf('@')
  return at <= 0 ? undefined : iss.slice(0, at).toLowerCase()
}

/**
 * The servers whose issuer id the token's iss names; empty for a token the self-issued rules handle. Ready at
 * once, except while some server's document is not loaded and the id is no registered partner's: then that
 * server may well be the issuer, so load (cooldown-limited) and look again; still unknown, answer 503.
 */
export function matchAuthorizationServers(trust: AuthzTrust, registry: PartnerRegistry, iss: unknown): MaybePromise<readonly AuthorizationServer[]> {
  const id = issuerIdOf(iss)
  if (id === undefined) return NONE
  const found = trust.servers.byIssuerId(id)
  if (found !== undefined) return found
  if (!trust.servers.hasUnidentified() || registry.findById(id) !== undefined) return NONE
  return loadAndMatch(trust.servers, id)
}

async function loadAndMatch(servers: AuthorizationServers, id: string): Promise<readonly AuthorizationServer[]> {
  await servers.loadAll()
  const found = servers.byIssuerId(id)
  if (found !== undefined) return found
  if (!servers.hasUnidentified()) return NONE
  throw unavailable(servers)
}

function unavailable(servers: AuthorizationServers): GatewayError {
  const waiting = servers.all().filter((s) => s.identity() === undefined)
  const retryAfterSec = Math.max(1, Math.min(...waiting.map((s) => s.metadata.retryAfterSec())))
  return new GatewayError('GW_PARTNER_UNAVAILABLE', { detail: { authorizationServer: waiting.map((s) => s.name).join(','), retryAfterSec } })
}

/** The server of that realm, else a multi-tenant ("*") one when the realm is one of ours, else undefined. */
function pickByRealm(candidates: readonly AuthorizationServer[], issuer: Principal, settings: ValidationSettings, exactOnly: boolean): AuthorizationServer | undefined {
  let wildcard: AuthorizationServer | undefined
  for (const server of candidates) {
    const realm = server.identity()?.realm
    if (realm === issuer.realm) return server
    if (realm === '*' && wildcard === undefined) wildcard = server
  }
  return !exactOnly && wildcard !== undefined && settings.acceptedRealms.has(issuer.realm) ? wildcard : undefined
}

/**
 * The server whose realm the token's iss realm is. A server of exactly that realm wins over a multi-tenant one;
 * so while some server of the configuration is still unidentified, only an exact match is taken at once: the
 * others wait for the servers to load (cooldown-limited), and get 503 if one still cannot be identified.
 */
function serverForRealm(trust: AuthzTrust, candidates: readonly AuthorizationServer[], issuer: Principal, settings: ValidationSettings): MaybePromise<AuthorizationServer> {
  const refused = (): GatewayError => tokenInvalid('issuer_realm', { authorizationServer: candidates.map((s) => s.name).join(',') })
  if (!trust.servers.hasUnidentified()) return pickByRealm(candidates, issuer, settings, false) ?? throwError(refused())
  const exact = pickByRealm(candidates, issuer, settings, true)
  if (exact !== undefined) return exact
  return trust.servers.loadAll().then(() => {
    if (trust.servers.hasUnidentified()) throw unavailable(trust.servers)
    return pickByRealm(trust.servers.byIssuerId(issuer.id) ?? candidates, issuer, settings, false) ?? throwError(refused())
  })
}

function throwError(err: GatewayError): never {
  throw err
}

/** The registered partner acting, configured with exactly this server, in the token's realm. */
function actingPartner(trust: AuthzTrust, server: AuthorizationServer, client: Principal): Partner {
  const partner = trust.partners.get(server.name)?.get(client.id)
  const realm = partner?.config.realm
  if (partner === undefined || (realm !== '*' && realm !== client.realm)) {
    throw tokenInvalid('authz_actor', { authorizationServer: server.name })
  }
  return partner
}

function buildIdentity(partner: Partner, server: AuthorizationServer, claims: AuthzClaims, x5t: string): Identity {
  const user = claims.user === undefined ? undefined : applySidPolicy(claims.user, partner.acceptSid)
  const identity: Identity = {
    partner: partner.name,
    partnerId: claims.client.id,
    realm: claims.issuer.realm,
    trustLevel: partner.trustLevel,
    authType: user === undefined ? 'app' : 'user',
    x5t,
    notBefore: claims.time.nbf,
    expiresAt: claims.time.exp,
    authorizationServer: server.name,
  }
  if (user !== undefined) identity.user = Object.freeze(user)
  return Object.freeze(identity)
}

/**
 * A key-free check of a server's token failed: name the registered partner its `actor` (user token) or `nameid`
 * (app-only) claims to be, when one of the candidate servers has it; else the server, when only one has that
 * issuer id. Metrics and logs then show whose tokens fail instead of 'unknown'. Done only on failure.
 */
function attributeClaimedClient(classified: ClassifiedToken, candidates: readonly AuthorizationServer[], trust: AuthzTrust, trace: ValidationTrace): void {
  const payload = classified.actor.payload
  const client = parsePrincipal(payload['actor'] ?? payload['nameid'])
  const partner = client === undefined ? undefined : candidates.map((s) => trust.partners.get(s.name)?.get(client.id)).find((p) => p !== undefined)
  if (partner !== undefined) trace.partner = partner.name
  else if (candidates.length === 1 && candidates[0] !== undefined) trace.partner = candidates[0].name
}

/**
 * Verify a token of one of `candidates` (same issuer id) completely. Key-free checks first; the signature with
 * the server's keys only (never the partner's, never ours), with the partner rules for loading and the one
 * rate-limited refetch; then the trust policy: a user token needs a full-trust partner. The server issuing a
 * user token is the delegation, so `trustedfordelegation` is not required of it.
 * @throws GatewayError GW_TOKEN_INVALID, GW_NOT_ALLOWED or GW_PARTNER_UNAVAILABLE (thrown, or as the rejection)
 */
export function verifyAuthzToken(
  classified: ClassifiedToken,
  candidates: readonly AuthorizationServer[],
  nowSec: number,
  deps: { settings: ValidationSettings; trust: AuthzTrust },
  trace: ValidationTrace,
): MaybePromise<VerifiedToken> {
  const attributed = (err: unknown): never => {
    attributeClaimedClient(classified, candidates, deps.trust, trace)
    throw err
  }
  let chosen: MaybePromise<AuthorizationServer>
  let claims: AuthzClaims
  try {
    if (classified.kind === 'user') throw tokenInvalid('authz_wrapped')
    claims = checkAuthzClaims(classified.actor.payload, deps.settings, nowSec)
    chosen = serverForRealm(deps.trust, candidates, claims.issuer, deps.settings)
  } catch (err) {
    return attributed(err)
  }
  if (chosen instanceof Promise) chosen = chosen.catch(attributed)
  return andThen(chosen, (server) => {
    trace.partner = server.name // until the acting partner is known
    const partner = actingPartner(deps.trust, server, claims.client)
    trace.partner = partner.name
    return andThen(verifyActorSignature(server.metadata, classified.actor), (key): VerifiedToken => {
      const identity = buildIdentity(partner, server, claims, key.x5t)
      enforceTrustPolicy(partner, identity.authType, true)
      return { identity, partner, trustedForDelegation: true, keyHolder: server.metadata }
    })
  })
}
