// Identity: verified claims -> upstream headers. Strip every client-supplied copy first, then set ours.
// Every header the gateway sets toward the backend is named here.
import type { IncomingHttpHeaders } from 'node:http'
import type { Identity } from './types.js'

/** Prefix of every identity header; inbound headers matching it (any case, `_` for `-`) are dropped. */
export const IDENTITY_PREFIX = 'x-s2s-'

export const IDENTITY_HEADERS = {
  partner: 'x-s2s-partner',
  partnerId: 'x-s2s-partner-id',
  realm: 'x-s2s-realm',
  trustLevel: 'x-s2s-trust-level',
  authType: 'x-s2s-auth-type',
  /** Name of the authorization server that issued the token (issue 7); never set for self-issued tokens. */
  issuer: 'x-s2s-issuer',
  userNameid: 'x-s2s-user-nameid',
  userNii: 'x-s2s-user-nii',
  userUpn: 'x-s2s-user-upn',
  userSmtp: 'x-s2s-user-smtp',
  userSip: 'x-s2s-user-sip',
  /** Name of the permission that allowed the request (issue 10); absent for a partner without permissions. */
  permission: 'x-s2s-permission',
} as const

/** True for a header name a client could use to pass as one of ours: x-s2s-*, X_S2S_*, x-s2s_* ... */
export function isIdentityHeaderName(name: string): boolean {
  // Node lowercases incoming names; `_` is legal in a field name and some backends (CGI, nginx) map it to `-`.
  if (name.length < IDENTITY_PREFIX.length) return false
  // Every header of every request passes here: most do not start with x/X, and need no copy to tell (issue 6).
  const first = name.charCodeAt(0)
  if (first !== 0x78 && first !== 0x58) return false
  const head = name.slice(0, IDENTITY_PREFIX.length).toLowerCase().replace(/_/g, '-')
  return head === IDENTITY_PREFIX
}

const FORWARDED_PREFIX = 'x-forwarded-'

/**
 * True for an X-Forwarded-* name in any spelling (node's lower-case names): `x-forwarded-prefix`, `x_forwarded_for`,
 * `x_forwarded-proto`. `_` is legal in a field name, and CGI-style servers read `X_Forwarded_For` as
 * HTTP_X_FORWARDED_FOR, like the real one. The one rule for both directions: proxy/forwarded.ts drops the `_`
 * spellings from clients, outbound/partner-headers.ts every spelling toward partners.
 */
export function isForwardedName(name: string): boolean {
  return name.length >= FORWARDED_PREFIX.length && name.slice(0, FORWARDED_PREFIX.length).replace(/_/g, '-') === FORWARDED_PREFIX
}

/** Delete every identity-looking header from an incoming header object (in place). */
export function stripIdentityHeaders(headers: IncomingHttpHeaders): void {
  for (const name of Object.keys(headers)) if (isIdentityHeaderName(name)) delete headers[name]
}

// Printable ASCII passes as is; anything else is percent-encoded as UTF-8 (RFC 3986 style), so a header
// value is always plain ASCII. Control characters never get here: tokens/ rejects them ('claim_value').
const NEEDS_ENCODING = /[^\x20-\x7e]|%/

export function encodeHeaderValue(value: string): string {
  return NEEDS_ENCODING.test(value) ? encodeURIComponent(value) : value
}

/** Set the verified identity on an (already stripped) header object. */
export function applyIdentityHeaders(headers: IncomingHttpHeaders, identity: Identity): void {
  headers[IDENTITY_HEADERS.partner] = identity.partner
  headers[IDENTITY_HEADERS.partnerId] = encodeHeaderValue(identity.partnerId)
  headers[IDENTITY_HEADERS.realm] = encodeHeaderValue(identity.realm)
  headers[IDENTITY_HEADERS.trustLevel] = identity.trustLevel
  headers[IDENTITY_HEADERS.authType] = identity.authType
  if (identity.authorizationServer !== undefined) headers[IDENTITY_HEADERS.issuer] = identity.authorizationServer
  const user = identity.user
  if (user === undefined) return
  if (user.nameid !== undefined) headers[IDENTITY_HEADERS.userNameid] = encodeHeaderValue(user.nameid)
  if (user.nii !== undefined) headers[IDENTITY_HEADERS.userNii] = encodeHeaderValue(user.nii)
  if (user.upn !== undefined) headers[IDENTITY_HEADERS.userUpn] = encodeHeaderValue(user.upn)
  if (user.smtp !== undefined) headers[IDENTITY_HEADERS.userSmtp] = encodeHeaderValue(user.smtp)
  if (user.sip !== undefined) headers[IDENTITY_HEADERS.userSip] = encodeHeaderValue(user.sip)
}
