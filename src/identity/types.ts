// Identity: who a verified token says the caller is. Produced by tokens/, rendered as headers by identity/headers.ts,
// decided on by access/ and limits/, written to the access line by inbound/. Plain data: no token text.
import type { TrustLevel } from '../schema/index.js'

export type AuthType = 'app' | 'user'

/** User claims from a verified outer token (docs/PROTOCOL.md §3.2-3.3). Only non-empty strings are kept. */
export interface UserClaims {
  nameid?: string
  nii?: string
  upn?: string
  smtp?: string
  sip?: string
}

/** The result of a fully verified token. Plain data, safe to cache and to log (no token text). */
export interface Identity {
  /** Registered partner name (config label). */
  partner: string
  /** Partner principal id, lowercase. */
  partnerId: string
  /** Realm of the actor's iss, lowercase. */
  realm: string
  trustLevel: TrustLevel
  authType: AuthType
  /** Present for authType 'user'; nameid already dropped when it is a SID and the partner lacks acceptSid. */
  user?: UserClaims
  /** x5t of the certificate that verified the actor signature. */
  x5t: string
  /** Effective validity, epoch seconds: max(nbf) and min(outer.exp, actor.exp). */
  notBefore: number
  expiresAt: number
  /** Name of the authorization server that issued the token (issue 7); absent for self-issued tokens. */
  authorizationServer?: string
}
