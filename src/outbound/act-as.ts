// Outbound: the backend names the user a call is made for with x-s2s-act-as-* request headers (issue 3 §1).
// Read them into the outer token's claims (docs/PROTOCOL.md §3.2-3.3), strictly: one field each, no control
// characters, non-ASCII as percent-encoded UTF-8 (how the inbound side writes x-s2s-user-* values).
import type { IncomingHttpHeaders } from 'node:http'
import { GatewayError } from '../errors/index.js'
import type { UserClaims } from '../identity/index.js'

/** Header -> claim. Every one is removed before forwarding (with all other x-s2s-* headers). */
export const ACT_AS_HEADERS = {
  'x-s2s-act-as-upn': 'upn',
  'x-s2s-act-as-smtp': 'smtp',
  'x-s2s-act-as-sip': 'sip',
  'x-s2s-act-as-nameid': 'nameid',
  'x-s2s-act-as-nii': 'nii',
} as const satisfies Record<string, keyof UserClaims>

type ActAsHeader = keyof typeof ACT_AS_HEADERS

/** Claim values longer than this are refused: they would make the token too large for partners' header limits. */
const MAX_VALUE_CHARS = 1_024
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/

const bad = (header: string, problem: string): GatewayError =>
  new GatewayError('GW_BAD_REQUEST', { detail: { header, problem } })

function fieldCount(rawHeaders: readonly string[], name: string): number {
  let n = 0
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === name) n++
  return n
}

function decodeValue(header: string, raw: string): string {
  const value = raw.trim()
  if (value === '') throw bad(header, 'empty')
  if (value.length > MAX_VALUE_CHARS || !PRINTABLE_ASCII.test(value)) throw bad(header, 'not_printable_ascii')
  if (!value.includes('%')) return value
  let decoded: string
  try {
    decoded = decodeURIComponent(value)
  } catch {
    throw bad(header, 'bad_percent_encoding')
  }
  if (/[\x00-\x1f\x7f]/.test(decoded)) throw bad(header, 'control_character')
  // What the inbound validator refuses in a user claim (tokens/claim-values.ts), refused here too: an encoded value
  // that is only white space is empty, and " ceo@contoso.com" is not ceo@contoso.com to any rule a partner has.
  if (decoded.trim() === '') throw bad(header, 'empty')
  if (decoded !== decoded.trim()) throw bad(header, 'outer_whitespace')
  return decoded
}

/**
 * The user claims the backend asks for, or undefined for an app-only call.
 * @throws GatewayError GW_BAD_REQUEST for a repeated, empty or malformed header, or nii without nameid
 */
export function readActAs(headers: IncomingHttpHeaders, rawHeaders: readonly string[]): UserClaims | undefined {
  const user: UserClaims = {}
  let any = false
  for (const header of Object.keys(ACT_AS_HEADERS) as ActAsHeader[]) {
    const raw = headers[header]
    if (raw === undefined) continue
    if (Array.isArray(raw) || fieldCount(rawHeaders, header) > 1) throw bad(header, 'repeated')
    user[ACT_AS_HEADERS[header]] = decodeValue(header, raw)
    any = true
  }
  if (!any) return undefined
  if (user.nii !== undefined && user.nameid === undefined) throw bad('x-s2s-act-as-nii', 'nii_without_nameid')
  return user
}
