// Token validation, step 1 (docs/PROTOCOL.md §4.1): size cap, then split a compact JWS into its three segments and
// decode header and payload strictly. Knows nothing of algorithms or claims (classify.ts does).
import { tokenInvalid } from '../errors/index.js'
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

/** Value of one base64url character (the caller has checked the alphabet). */
function sextet(code: number): number {
  if (code >= 0x61) return code - 0x61 + 26 // a-z
  if (code >= 0x41) return code === 0x5f ? 63 : code - 0x41 // A-Z, '_'
  return code === 0x2d ? 62 : code - 0x30 + 52 // '-', 0-9
}

/**
 * Strict base64url (RFC 4648 §3.5): a length of 4n+1 encodes no byte string, and the unused low bits of the last
 * character must be zero. Node's decoder tolerates both; we refuse them, so every token has one spelling only.
 */
function isCanonical(segment: string): boolean {
  const rest = segment.length % 4
  if (rest === 1) return false
  if (rest === 0) return true
  const unusedBits = rest === 2 ? 0b1111 : 0b11
  return (sextet(segment.charCodeAt(segment.length - 1)) & unusedBits) === 0
}

function decodeSegment(segment: string): Uint8Array | undefined {
  return isCanonical(segment) ? Buffer.from(segment, 'base64url') : undefined
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
  if (headerBytes === undefined || payloadBytes === undefined || !isCanonical(signature)) {
    throw tokenInvalid('malformed')
  }
  const header = parseJsonObject(headerBytes)
  if (header === undefined || typeof header['alg'] !== 'string') throw tokenInvalid('malformed')
  const payload = parseJsonObject(payloadBytes)
  if (payload === undefined) throw tokenInvalid('malformed')
  return { header, payload, signingInput: token.slice(0, secondDot), signature }
}
