// Token validation, authorization-server tokens (issue 7, docs/PROTOCOL.md §6): every claim check that needs no key,
// run before the signature like actor-claims.ts. iss names the server, aud realm equals iss realm, and the acting
// application is `actor` (user token: nameid is the user) or `nameid` (app-only), both `<clientId>@<realm>`.
import { tokenInvalid } from '../errors/index.js'
import { hasControlChar } from './claim-values.js'
import type { JsonObject } from './json-object.js'
import { parseAudience, parsePrincipal, type Principal } from './principal.js'
import type { ValidationSettings } from './settings.js'
import { checkTimeClaims, type TimeWindow } from './time.js'
import type { UserClaims } from '../identity/index.js'
import { readUserClaims } from './user-claims.js'

/** Claims of a server's token that passed every key-free check. Holds claim values: never log them. */
export interface AuthzClaims {
  /** The server as named by iss (lowercase). Its realm is also the aud realm and the acting application's. */
  issuer: Principal
  /** The acting application, from `actor` (user token) or `nameid` (app-only). */
  client: Principal
  /** Present for a user token. */
  user: UserClaims | undefined
  time: TimeWindow
}

function principalClaim(payload: JsonObject, claim: 'iss' | 'actor' | 'nameid'): Principal | undefined {
  const value = parsePrincipal(payload[claim])
  if (value !== undefined && (hasControlChar(value.id) || hasControlChar(value.realm))) throw tokenInvalid('claim_value', { claim })
  return value
}

/** §6 (X): aud realm equals iss realm; and aud is ours, exactly as for self-issued tokens (§4.6). */
function checkAudience(value: unknown, issuer: Principal, settings: ValidationSettings): void {
  const aud = parseAudience(value)
  if (aud === undefined) throw tokenInvalid('aud_malformed', { claim: 'aud' })
  if (aud.principal !== settings.serviceId) throw tokenInvalid('aud_principal')
  if (!settings.publicHosts.has(aud.host)) throw tokenInvalid('aud_host')
  if (!settings.acceptedRealms.has(aud.realm)) throw tokenInvalid('aud_realm')
  if (aud.realm !== issuer.realm) throw tokenInvalid('issuer_realm', { claim: 'aud' })
}

/**
 * The user of a user token: nameid (the user's PUID for ACS), nii, upn, smtp, sip as sent. Without `nii`, the
 * token's `identityprovider` says how to read nameid (urn:federation:microsoftonline: a PUID, §3.3).
 */
function readServerUser(payload: JsonObject): UserClaims {
  const user = readUserClaims(payload)
  if (user.nameid === undefined) throw tokenInvalid('user_claims', { claim: 'nameid' })
  const provider = payload['identityprovider']
  if (user.nii === undefined && typeof provider === 'string' && provider !== '') {
    if (hasControlChar(provider)) throw tokenInvalid('claim_value', { claim: 'identityprovider' })
    user.nii = provider
  }
  return user
}

/**
 * Check a server's token without its keys. `iss` was already recognised as the server's (by id); its realm is
 * checked against the server by the caller.
 * @throws GatewayError GW_TOKEN_INVALID
 */
export function checkAuthzClaims(payload: JsonObject, settings: ValidationSettings, nowSec: number): AuthzClaims {
  const issuer = principalClaim(payload, 'iss')
  if (issuer === undefined) throw tokenInvalid('issuer_malformed', { claim: 'iss' })
  if (issuer.realm === '*') throw tokenInvalid('issuer_realm') // '*' inside a token never matches (§7.7)
  checkAudience(payload['aud'], issuer, settings)
  const isUser = payload['actor'] !== undefined
  const client = principalClaim(payload, isUser ? 'actor' : 'nameid')
  if (client === undefined) throw tokenInvalid(isUser ? 'authz_actor' : 'nameid', { claim: isUser ? 'actor' : 'nameid' })
  // The application acts in the tenant the server issued for: `<clientId>@<iss realm>`.
  if (client.realm !== issuer.realm) throw tokenInvalid('authz_actor', { claim: isUser ? 'actor' : 'nameid' })
  const time = checkTimeClaims(payload, nowSec, settings)
  return { issuer, client, user: isUser ? readServerUser(payload) : undefined, time }
}
