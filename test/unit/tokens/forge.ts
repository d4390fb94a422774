// Test helper for tokens/: build tokens the way attackers and odd senders do (any alg, any signature).
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { b64u } from '../../helpers/tokens.js'

/** header.payload plus a signature computed by `signer` over the exact signing input. */
export function jws(header: object, payload: object, signer: (input: string) => Buffer | string): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`
  const sig = signer(input)
  return `${input}.${typeof sig === 'string' ? sig : sig.toString('base64url')}`
}

/** HS256 with a public value (the partner certificate PEM) as the HMAC secret: the classic alg confusion. */
export const hmacWith = (secret: string) => (input: string) => createHmac('sha256', secret).update(input).digest()

export const pssWith = (key: KeyObject) => (input: string) =>
  sign('sha256', Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING })

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
export const es256 = (input: string) => sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })

/** Replace the payload segment of a signed token (the signature no longer matches). */
export function withPayloadText(token: string, payloadJson: string): string {
  const [h, , s] = token.split('.')
  return `${h}.${b64u(payloadJson)}.${s}`
}

/** A raw segment from bytes (for invalid UTF-8 and other non-JSON payloads). */
export const seg = (bytes: Buffer | string): string => b64u(bytes)
