// Token validation: rules for claim values that end up in upstream headers (issue 2 §6: control characters
// make the token invalid, rather than being stripped or encoded by identity/).

/** C0 controls and DEL. Compiled once. */
const CONTROL = /[\x00-\x1f\x7f]/

/** True when a value would smuggle a control character into a header. */
export function hasControlChar(value: string): boolean {
  return CONTROL.test(value)
}

/** `trustedfordelegation`: boolean true or the string "true" in any case (§2.2); anything else is false. */
export function isTrueClaim(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true')
}
