// Token validation: rules for claim values that end up in upstream headers (issue 2 §6: control characters
// make the token invalid, rather than being stripped or encoded by identity/).

/**
 * C0 controls and DEL, and lone UTF-16 surrogates (`\ud800`, half an emoji): a JSON string may hold one, but it has no
 * UTF-8 form, so it can become neither a header value nor a percent-encoded one (issue 17). Compiled once.
 */
const UNFIT = /[\x00-\x1f\x7f]|\p{Cs}/u

/** True when a value would smuggle a control character into a header, or cannot be encoded into one at all. */
export function hasControlChar(value: string): boolean {
  return UNFIT.test(value)
}

/** True when a value starts or ends with white space (space, tab or any Unicode space): refused, never trimmed. */
export function hasOuterWhitespace(value: string): boolean {
  return value !== value.trim()
}

/** `trustedfordelegation`: boolean true or the string "true" in any case (§2.2); anything else is false. */
export function isTrueClaim(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true')
}
