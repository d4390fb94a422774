// Outbound: build S2S tokens. An RS256 actor token signed with an issuer certificate (docs/PROTOCOL.md §2.5) and,
// for a user, the unsigned outer token that wraps it (§3.1). Used by outbound calls, `token mint`, the demo, tests.
import type { KeyObject } from 'node:crypto'
import { CompactSign } from 'jose'
import type { UserClaims } from '../identity/index.js'

export interface TokenSigner {
  privateKey: KeyObject
  /** x5t of the certificate that matches privateKey. */
  x5t: string
}

/** JSON numbers (our default) or decimal strings (older senders, [MS-XOAUTH] examples). */
export type DateFormat = 'number' | 'string'

export interface ActorTokenInput {
  /** `<issuer id>@<realm>` */
  issuer: string
  /** `<target principal>/<host[:port]>@<realm>` */
  audience: string
  /** Default: equal to issuer (Exchange and Lync set nameid = iss). */
  nameid?: string
  /** Epoch seconds. */
  nbf: number
  exp: number
  /** Written as the string "true" when set (Exchange's form); omitted otherwise. */
  trustedForDelegation?: boolean
  dateFormat?: DateFormat
}

const enc = new TextEncoder()

function formatDate(sec: number, format: DateFormat | undefined): number | string {
  return format === 'string' ? String(Math.floor(sec)) : Math.floor(sec)
}

export async function mintActorToken(signer: TokenSigner, input: ActorTokenInput): Promise<string> {
  const claims: Record<string, unknown> = {
    aud: input.audience,
    iss: input.issuer,
    nbf: formatDate(input.nbf, input.dateFormat),
    exp: formatDate(input.exp, input.dateFormat),
    nameid: input.nameid ?? input.issuer,
  }
  if (input.trustedForDelegation === true) claims['trustedfordelegation'] = 'true'
  // No kid: S2S selects keys by x5t only (docs/PROTOCOL.md §2.1).
  return new CompactSign(enc.encode(JSON.stringify(claims)))
    .setProtectedHeader({ typ: 'JWT', alg: 'RS256', x5t: signer.x5t })
    .sign(signer.privateKey)
}

export interface UserTokenInput {
  actorToken: string
  /** Must equal the actor's nameid. */
  issuer: string
  audience: string
  nbf: number
  exp: number
  user: UserClaims
  dateFormat?: DateFormat
}

/** The outer token: header exactly {"typ":"JWT","alg":"none"}, empty signature segment, trailing dot kept. */
export function wrapUserToken(input: UserTokenInput): string {
  const claims: Record<string, unknown> = {
    aud: input.audience,
    iss: input.issuer,
    nbf: formatDate(input.nbf, input.dateFormat),
    exp: formatDate(input.exp, input.dateFormat),
  }
  for (const [name, value] of Object.entries(input.user)) {
    if (typeof value === 'string' && value !== '') claims[name] = value
  }
  claims['actortoken'] = input.actorToken
  const header = Buffer.from('{"typ":"JWT","alg":"none"}').toString('base64url')
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`
}
