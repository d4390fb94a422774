// Test helper: a partner identity (certificate generated at test time) and raw token builders with full
// control over header, claims and signature, so tests can build both real senders' tokens and attacks.
import { sign, type KeyObject } from 'node:crypto'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../src/certs/create.js'

export const SERVICE_ID = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'
export const REALM = 'contoso.com'
export const PUBLIC_HOST = 'gw.contoso.com'
export const EXCHANGE_ID = '00000002-0000-0ff1-ce00-000000000000'

export const b64u = (value: string | Buffer): string => Buffer.from(value).toString('base64url')
export const nowSec = (): number => Math.floor(Date.now() / 1000)

/** Sign any header and payload with RSASSA-PKCS1-v1_5 SHA-256, whatever the header claims. */
export function signRaw(header: object, payload: object, privateKey: KeyObject): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`
}

/** An outer (alg none) token around an actor token, with any claims. */
export function wrapRaw(claims: object, header: object = { typ: 'JWT', alg: 'none' }, signature = ''): string {
  return `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}.${signature}`
}

export interface TestPartner {
  id: string
  realm: string
  cert: CreatedCertificate
  issuer: string
  /** Claims of a valid app-only actor token for the gateway under test; override any of them. */
  actorClaims(overrides?: Record<string, unknown>): Record<string, unknown>
  /** A valid RS256 actor token; header and claims overridable; signed with `key` (default: ours). */
  actorToken(overrides?: Record<string, unknown>, header?: Record<string, unknown>, key?: KeyObject): string
  /** A valid user-context token; outer claims overridable, actor claims overridable. */
  userToken(user: Record<string, unknown>, outerOverrides?: Record<string, unknown>, actorOverrides?: Record<string, unknown>): string
  /** Replace the signing certificate (rotation). The old one stays in `previous`. */
  rotate(): Promise<void>
  previous: CreatedCertificate[]
}

export interface TestPartnerOptions {
  id?: string
  realm?: string
  serviceId?: string
  audienceHost?: string
  audienceRealm?: string
  subject?: string
}

export async function makeTestPartner(opts: TestPartnerOptions = {}): Promise<TestPartner> {
  const id = opts.id ?? EXCHANGE_ID
  const realm = opts.realm ?? REALM
  const audience = `${opts.serviceId ?? SERVICE_ID}/${opts.audienceHost ?? PUBLIC_HOST}@${opts.audienceRealm ?? realm}`
  const issuer = `${id}@${realm}`
  const partner: TestPartner = {
    id,
    realm,
    issuer,
    cert: await createSelfSignedCertificate({ subject: opts.subject ?? `CN=${id}` }),
    previous: [],
    actorClaims(overrides = {}) {
      const now = nowSec()
      return { aud: audience, iss: issuer, nbf: now - 300, exp: now + 3600, nameid: issuer, trustedfordelegation: 'true', ...overrides }
    },
    actorToken(overrides = {}, header = {}, key) {
      const h = { typ: 'JWT', alg: 'RS256', x5t: partner.cert.x5t, ...header }
      return signRaw(h, partner.actorClaims(overrides), key ?? partner.cert.privateKey)
    },
    userToken(user, outerOverrides = {}, actorOverrides = {}) {
      const now = nowSec()
      const actor = partner.actorToken(actorOverrides)
      return wrapRaw({ aud: audience, iss: issuer, nbf: now - 300, exp: now + 3600, ...user, actortoken: actor, ...outerOverrides })
    },
    async rotate() {
      partner.previous.push(partner.cert)
      partner.cert = await createSelfSignedCertificate({ subject: opts.subject ?? `CN=${id}` })
    },
  }
  return partner
}
