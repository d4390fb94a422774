// Token validation, step 1 (docs/PROTOCOL.md §4.1): take the bearer token out of the Authorization header value.
// Duplicate Authorization headers are the proxy layer's concern (it sees rawHeaders); this sees one value.
import { tokenInvalid } from '../errors/index.js'

/** RFC 6750 §2.1 scheme, compared case-insensitively (RFC 9110 §11.1). */
const SCHEME = 'bearer'
/** What an S2S token may contain: base64url segments joined by dots. Compiled once. */
const TOKEN_CHARS = /^[A-Za-z0-9_.-]+$/

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09
}

/**
 * The token of a `Bearer` Authorization header value.
 * @returns undefined when there is no header, another scheme, or `Bearer` with nothing after it
 *   (the caller answers with the bare 401 challenge, docs/PROTOCOL.md §3.6).
 * @throws GatewayError GW_TOKEN_INVALID 'malformed' when a token is present but has junk after it
 *   or characters outside base64url and '.'.
 */
export function extractBearer(header: string | undefined): string | undefined {
  const token = bearerText(header)
  if (token !== undefined) assertTokenChars(token)
  return token
}

/** A token's characters: base64url and '.'. @throws GatewayError GW_TOKEN_INVALID 'malformed' otherwise. */
export function assertTokenChars(token: string): void {
  if (!TOKEN_CHARS.test(token)) throw tokenInvalid('malformed')
}

/**
 * The text after `Bearer`, its characters not yet checked: the request path hands it to the validator, which
 * checks them only on a cache miss (a hit's SHA-256 equals that of a token that passed every check, so its text
 * is that token's). undefined as extractBearer.
 */
export function bearerText(header: string | undefined): string | undefined {
  if (header === undefined || header.length < SCHEME.length) return undefined
  if (header.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return undefined
  if (header.length > SCHEME.length && !isBlank(header.charCodeAt(SCHEME.length))) return undefined // "Bearerx"
  let start = SCHEME.length
  while (start < header.length && isBlank(header.charCodeAt(start))) start++
  let end = header.length
  while (end > start && isBlank(header.charCodeAt(end - 1))) end--
  if (start === end) return undefined
  return header.slice(start, end)
}
