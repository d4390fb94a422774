// Token validation, step 1 (PROTOCOL.md §4.1): size cap, then split a compact JWS into its three segments and
// decode header and payload strictly. Knows nothing of algorithms or claims (classify.ts does).
import { tokenInvalid } from '../errors.js'
import { parseJsonObject, type JsonObject } from './json-object.js'

/** Exactly three base64url segments, the last possibly empty (outer token). A JWE has five. Compiled once. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/** A compact JWS split and decoded. Holds the token text: never log it, never put it in an error. */
export interface DecodedJwt {
  header: JsonObject
  payload: JsonObject
  /** `header.payload`, the bytes the signature covers, as sent. */
  signingInput: string
  /** The signature segment, base64url; '' for an unsigned outer token. */
  signature: string
}

/**
 * Refuse a token larger than `maxBytes` (tokens.maxTokenBytes) before any parsing or hashing.
 * @throws GatewayError GW_TOKEN_INVALID 'too_large'
 */
export function assertTokenSize(token: string, maxBytes: number): void {
  // Characters are at most 3 UTF-8 bytes each, so only measure bytes when the length alone cannot tell.
  if (token.length > maxBytes || (token.length * 3 > maxBytes && Buffer.byteLength(token) > maxBytes)) {
    throw tokenInvalid('too_large', { maxBytes })
  }
}

/** A base64url length of 4n+1 cannot come from any byte string (RFC 4648 §5); node would silently drop it. */
function decodeSegment(segment: string): Uint8Array | undefined {
  return segment.length % 4 === 1 ? undefined : Buffer.from(segment, 'base64url')
}

/**
 * Split and decode a compact JWS: three segments of base64url ([A-Za-z0-9_-] only), header and payload JSON
 * objects, a header with a string `alg`.
 * @throws GatewayError GW_TOKEN_INVALID 'malformed'
 */
export function decodeJwt(token: string): DecodedJwt {
  if (!COMPACT_JWS.test(token)) throw tokenInvalid('malformed')
  const firstDot = token.indexOf('.')
  const secondDot = token.indexOf('.', firstDot + 1)
  const signature = token.slice(secondDot + 1)
  const headerBytes = decodeSegment(token.slice(0, firstDot))
  const payloadBytes = decodeSegment(token.slice(firstDot + 1, secondDot))
  if (headerBytes === undefined || payloadBytes === undefined || signature.length % 4 === 1) {
    throw tokenInvalid('malformed')
  }
  const header = parseJsonObject(headerBytes)
  if (header === undefined || typeof header['alg'] !== 'string') throw tokenInvalid('malformed')
  const payload = parseJsonObject(payloadBytes)
  if (payload === undefined) throw tokenInvalid('malformed')
  return { header, payload, signingInput: token.slice(0, secondDot), signature }
}
