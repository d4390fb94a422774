// Token validation, step 8 (docs/PROTOCOL.md §4.8): nbf/exp of the actor and the outer token, as JSON numbers or
// decimal strings (§2.2, §8), checked against the injected clock with skew and against the lifetime cap.
import { tokenInvalid } from '../errors/index.js'
import type { JsonObject } from './json-object.js'

/** At most 12 digits: year 33658 and beyond is not a date anyone sends. Compiled once. */
const DECIMAL_SECONDS = /^\d{1,12}$/

/** A token's validity, epoch seconds. */
export interface TimeWindow {
  nbf: number
  exp: number
}

/** Epoch seconds from a safe non-negative integer JSON number or a decimal string; undefined otherwise. */
function readEpochSec(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined
  if (typeof value === 'string' && DECIMAL_SECONDS.test(value)) return Number(value)
  return undefined
}

/**
 * Throw unless `nbf − skew ≤ now < exp + skew` (the .NET DefaultClockSkew rule).
 * @throws GatewayError GW_TOKEN_INVALID 'not_yet_valid' | 'expired'
 */
export function assertWithinWindow(window: TimeWindow, nowSec: number, skewSec: number): void {
  assertWithin(window.nbf, window.exp, nowSec, skewSec)
}

/** assertWithinWindow without the window object, for the token cache's hit path. */
export function assertWithin(nbf: number, exp: number, nowSec: number, skewSec: number): void {
  if (nbf - skewSec > nowSec) throw tokenInvalid('not_yet_valid')
  if (nowSec >= exp + skewSec) throw tokenInvalid('expired')
}

/**
 * Read and check `nbf` and `exp`: both required, `exp > nbf`, `exp − nbf ≤ maxLifetimeSec`, and valid now.
 * @throws GatewayError GW_TOKEN_INVALID 'time_malformed' | 'lifetime' | 'not_yet_valid' | 'expired'
 */
export function checkTimeClaims(
  payload: JsonObject,
  nowSec: number,
  limits: { clockSkewSec: number; maxLifetimeSec: number },
): TimeWindow {
  const nbf = readEpochSec(payload['nbf'])
  if (nbf === undefined) throw tokenInvalid('time_malformed', { claim: 'nbf' })
  const exp = readEpochSec(payload['exp'])
  if (exp === undefined) throw tokenInvalid('time_malformed', { claim: 'exp' })
  if (exp <= nbf || exp - nbf > limits.maxLifetimeSec) throw tokenInvalid('lifetime')
  const window = { nbf, exp }
  assertWithinWindow(window, nowSec, limits.clockSkewSec)
  return window
}
