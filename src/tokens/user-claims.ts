// Token validation, steps 9-10 for the user (docs/PROTOCOL.md §3.3, §4.9-4.10): read the outer token's user claims
// and apply the SID rule (a Windows SID nameid only for partners with acceptSid).
import { tokenInvalid } from '../errors/index.js'
import { hasControlChar, hasOuterWhitespace } from './claim-values.js'
import type { JsonObject } from './json-object.js'
import type { UserClaims } from '../identity/index.js'

/** The user claims we forward (identity/ turns them into x-s2s-user-* headers). */
const USER_CLAIM_NAMES = ['nameid', 'nii', 'upn', 'smtp', 'sip'] as const

/** nii value saying nameid is an Active Directory SID (§3.3). Compared case-insensitively. */
const NII_ACTIVE_DIRECTORY = 'urn:office:idp:activedirectory'

/**
 * The user claims of an outer token: each, if present, must be a string without control characters or lone
 * surrogates, and without leading or trailing white space (refused rather than trimmed: " ceo@contoso.com" must not
 * reach a backend that compares it byte for byte, nor pass as the trimmed user at one that trims); empty strings are
 * dropped.
 * @throws GatewayError GW_TOKEN_INVALID 'user_claims' | 'claim_value' (detail: the claim name)
 */
export function readUserClaims(payload: JsonObject): UserClaims {
  const user: UserClaims = {}
  for (const name of USER_CLAIM_NAMES) {
    const value = payload[name]
    if (value === undefined) continue
    if (typeof value !== 'string') throw tokenInvalid('user_claims', { claim: name })
    if (hasControlChar(value)) throw tokenInvalid('claim_value', { claim: name })
    if (hasOuterWhitespace(value)) throw tokenInvalid('claim_value', { claim: name, problem: 'whitespace' })
    if (value !== '') user[name] = value
  }
  return user
}

/**
 * Drop a SID nameid (and its nii) unless the partner accepts SIDs (Exchange/Lync
 * -AcceptSecurityIdentifierInformation); without nii, nameid is a UPN and is kept.
 * @throws GatewayError GW_TOKEN_INVALID 'user_claims' when no usable user claim remains (§3.3)
 */
export function applySidPolicy(user: UserClaims, acceptSid: boolean): UserClaims {
  let result = user
  if (!acceptSid && user.nii !== undefined && user.nii.toLowerCase() === NII_ACTIVE_DIRECTORY) {
    result = { ...user }
    delete result.nameid
    delete result.nii
  }
  if (result.nameid === undefined && result.upn === undefined && result.smtp === undefined && result.sip === undefined) {
    throw tokenInvalid('user_claims')
  }
  return result
}
