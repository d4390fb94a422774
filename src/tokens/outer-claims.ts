// Token validation, step 9 (docs/PROTOCOL.md §4.9): the outer user-context token must be bound to its actor token
// (iss = actor nameid, aud = actor aud) and be valid now; the effective window is the intersection of both.
import { tokenInvalid } from '../errors/index.js'
import type { ActorClaims } from './actor-claims.js'
import type { JsonObject } from './json-object.js'
import type { ValidationSettings } from './settings.js'
import { checkTimeClaims, type TimeWindow } from './time.js'
import type { UserClaims } from '../identity/index.js'
import { readUserClaims } from './user-claims.js'

/** Outer claims that passed every key-free check. */
export interface OuterClaims {
  user: UserClaims
  /** Effective window: max of both nbf, min of both exp. */
  time: TimeWindow
}

function equalsIgnoreCase(value: unknown, expected: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === expected.toLowerCase()
}

/**
 * Check the outer token against its (already checked) actor claims.
 * @throws GatewayError GW_TOKEN_INVALID 'outer_binding' | time reasons | 'user_claims' | 'claim_value'
 */
export function checkOuterClaims(
  payload: JsonObject,
  actor: ActorClaims,
  settings: ValidationSettings,
  nowSec: number,
): OuterClaims {
  if (!equalsIgnoreCase(payload['iss'], actor.nameid)) throw tokenInvalid('outer_binding', { claim: 'iss' })
  if (!equalsIgnoreCase(payload['aud'], actor.aud)) throw tokenInvalid('outer_binding', { claim: 'aud' })
  const outer = checkTimeClaims(payload, nowSec, settings)
  const time = { nbf: Math.max(outer.nbf, actor.time.nbf), exp: Math.min(outer.exp, actor.time.exp) }
  return { user: readUserClaims(payload), time }
}
