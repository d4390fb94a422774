// Authorization servers, outbound: the client assertion we authenticate to a server's issuance endpoint with
// (issue 7, docs/PROTOCOL.md §6: Exchange sends a self-signed 10-minute assertion): an RS256 JWT signed with our
// issuer certificate, iss = sub = client_id, aud = the issuance endpoint, x5t in the header (RFC 7523 §3).
import { randomUUID } from 'node:crypto'
import { CompactSign } from 'jose'
import type { TokenSigner } from '../issuer/index.js'

/** exp - nbf of every assertion: 10 minutes. */
export const CLIENT_ASSERTION_LIFETIME_SEC = 600

/** RFC 7523 §2.2: the client_assertion_type of a JWT bearer assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface ClientAssertionInput {
  /** `<service.id>@<realm>`: iss, sub and the form's client_id. */
  clientId: string
  /** The issuance endpoint URL, exactly as the server's metadata names it. */
  audience: string
  /** Epoch seconds. */
  nowSec: number
}

const enc = new TextEncoder()

/** A fresh assertion: nbf = now, exp = now + 600 s, a random jti (servers may refuse replays). No kid (x5t only). */
export function mintClientAssertion(signer: TokenSigner, input: ClientAssertionInput): Promise<string> {
  const claims = {
    aud: input.audience,
    iss: input.clientId,
    sub: input.clientId,
    jti: randomUUID(),
    nbf: input.nowSec,
    exp: input.nowSec + CLIENT_ASSERTION_LIFETIME_SEC,
  }
  return new CompactSign(enc.encode(JSON.stringify(claims))).setProtectedHeader({ typ: 'JWT', alg: 'RS256', x5t: signer.x5t }).sign(signer.privateKey)
}
