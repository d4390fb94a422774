// Token validation, steps 4 (parse), 6, 7 and 8 for the actor token (docs/PROTOCOL.md §4): every actor claim check
// that needs no key and no partner lookup, run before the signature so bad tokens are refused cheaply.
import { tokenInvalid } from '../errors/index.js'
import { hasControlChar, isTrueClaim } from './claim-values.js'
import type { JsonObject } from './json-object.js'
import { parseAudience, parsePrincipal, type Principal } from './principal.js'
import type { ValidationSettings } from './settings.js'
import { checkTimeClaims, type TimeWindow } from './time.js'

/** Actor claims that passed every key-free check. Holds claim values: never log them. */
export interface ActorClaims {
  /** The issuing partner as named by `iss` (lowercase). */
  issuer: Principal
  /** `aud` and `nameid` as sent, for the outer token binding (§4.9). */
  aud: string
  nameid: string
  time: TimeWindow
  /** `trustedfordelegation` is true (`true` or "true"); enforced only after verification (§4.10). */
  trustedForDelegation: boolean
}

function readIssuer(value: unknown): Principal {
  const issuer = parsePrincipal(value)
  if (issuer === undefined) throw tokenInvalid('issuer_malformed', { claim: 'iss' })
  // id and realm become x-s2s-partner-id and x-s2s-realm.
  if (hasControlChar(issuer.id) || hasControlChar(issuer.realm)) throw tokenInvalid('claim_value', { claim: 'iss' })
  if (issuer.realm === '*') throw tokenInvalid('issuer_realm') // '*' inside a token never matches (§7.7)
  return issuer
}

/** §4.6: our service id, one of our public hosts, one of our realms; a missing host part is malformed. */
function checkAudience(value: unknown, settings: ValidationSettings): string {
  const aud = parseAudience(value)
  if (aud === undefined) throw tokenInvalid('aud_malformed', { claim: 'aud' })
  if (aud.principal !== settings.serviceId) throw tokenInvalid('aud_principal')
  if (!settings.publicHosts.has(aud.host)) throw tokenInvalid('aud_host')
  if (!settings.acceptedRealms.has(aud.realm)) throw tokenInvalid('aud_realm')
  return value as string // parseAudience accepted it, so it is a string
}

/** §4.7: nameid equals iss (same id and realm); no trust brokers in this version. */
function checkNameid(value: unknown, issuer: Principal): string {
  const nameid = parsePrincipal(value)
  if (nameid === undefined || nameid.id !== issuer.id || nameid.realm !== issuer.realm) {
    throw tokenInvalid('nameid', { claim: 'nameid' })
  }
  return value as string
}

/**
 * Check the actor token's claims that need neither the partner nor a key.
 * @throws GatewayError GW_TOKEN_INVALID
 */
export function checkActorClaims(payload: JsonObject, settings: ValidationSettings, nowSec: number): ActorClaims {
  const issuer = readIssuer(payload['iss'])
  const aud = checkAudience(payload['aud'], settings)
  const nameid = checkNameid(payload['nameid'], issuer)
  const time = checkTimeClaims(payload, nowSec, settings)
  return { issuer, aud, nameid, time, trustedForDelegation: isTrueClaim(payload['trustedfordelegation']) }
}
