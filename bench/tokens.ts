// Bench: the token pools of every scenario, made before any timed window so signing never competes with the
// process under test. Tokens look like the ones Exchange sends (docs/PROTOCOL.md §2.5, §3.1): RS256 actor tokens with
// typ/alg/x5t, numeric nbf/exp, trustedfordelegation "true"; user tokens are alg-none wrappers around one.
import { randomBytes, sign, type KeyObject } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AUDIENCE, REALM, type BenchPartner } from './fixtures.js'

const b64u = (value: string | Buffer): string => Buffer.from(value).toString('base64url')
const nowSec = (): number => Math.floor(Date.now() / 1000)

function signed(header: object, claims: object, key: KeyObject): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`
}

/** A well-formed RS256 token whose signature is 256 random bytes (below any 2048-bit modulus): never verifies. */
function badlySigned(header: object, claims: object): string {
  const signature = randomBytes(256)
  signature[0] = signature[0]! & 0x3f
  return `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}.${signature.toString('base64url')}`
}

function actorClaims(partner: BenchPartner, nbfOffsetSec = 0): Record<string, unknown> {
  const now = nowSec()
  return { aud: AUDIENCE, iss: partner.issuer, nbf: now - 300 - nbfOffsetSec, exp: now + 3600 * 4, nameid: partner.issuer, trustedfordelegation: 'true' }
}

function actorHeader(partner: BenchPartner): object {
  return { typ: 'JWT', alg: 'RS256', x5t: partner.cert.x5t }
}

export function actorToken(partner: BenchPartner, nbfOffsetSec = 0): string {
  return signed(actorHeader(partner), actorClaims(partner, nbfOffsetSec), partner.cert.privateKey)
}

const OUTER_HEADER = b64u('{"typ":"JWT","alg":"none"}')

function outerClaims(partner: BenchPartner): Record<string, unknown> {
  const now = nowSec()
  return { aud: AUDIENCE, iss: partner.issuer, nbf: now - 300, exp: now + 3600 * 4 }
}

/** A user-context token for user number `n` around `actor`. */
export function userToken(partner: BenchPartner, actor: string, n: number): string {
  const user = `user${String(n).padStart(5, '0')}@${REALM}`
  const claims = { ...outerClaims(partner), nameid: user, upn: user, smtp: user, sip: user, actortoken: actor }
  return `${OUTER_HEADER}.${b64u(JSON.stringify(claims))}.`
}

export interface TokenPools {
  /** No token at all (the outbound listener's callers are our own backend). */
  none: string
  /** One app-only token (also sent to the bare proxies, so every row carries the same request). */
  appWarm: string
  userWarm: string
  cold: string
  rejectEarly: string
  rejectSig: string
  /** For load/generate.lua: a distinct valid user token per request. */
  generated: string
  /** Sizes, for the report. */
  sizes: Record<string, number>
}

function writePool(dir: string, name: string, tokens: readonly string[]): string {
  const file = join(dir, `${name}.tokens`)
  writeFileSync(file, tokens.join('\n') + '\n')
  return file
}

/**
 * The generate.lua input: line 1 `<outer header>.<base64url(prefix)>`, line 2 `<base64url(suffix)>`, where prefix
 * is padded to a multiple of 3 bytes so base64url(prefix + 9 digits + suffix) is the three encodings joined.
 */
function generatorInput(partner: BenchPartner, actor: string): string {
  const claims = JSON.stringify(outerClaims(partner))
  let prefix = `${claims.slice(0, -1)},"upn":"u`
  while (prefix.length % 3 !== 0) prefix += 'x'
  const suffix = `@${REALM}","actortoken":"${actor}"}`
  return `${OUTER_HEADER}.${b64u(prefix)}\n${b64u(suffix)}\n`
}

export function makeTokenPools(dir: string, partner: BenchPartner, opts: { coldPool: number; users: number; rejectPool: number }): TokenPools {
  const app = actorToken(partner)
  const actorForUsers = actorToken(partner, 1)
  const users = Array.from({ length: opts.users }, (_, n) => userToken(partner, actorForUsers, n))
  // Distinct signed actor tokens: each differs in nbf by a second, like tokens minted a second apart.
  const cold = Array.from({ length: opts.coldPool }, (_, n) => actorToken(partner, 10 + n))
  const third = Math.ceil(opts.rejectPool / 3)
  const early: string[] = []
  for (let n = 0; n < third; n++) {
    const claims = actorClaims(partner, n)
    const unknown = `00000009-0000-0ff1-ce00-${String(n).padStart(12, '0')}@${REALM}`
    early.push(badlySigned(actorHeader(partner), { ...claims, iss: unknown, nameid: unknown }))
    early.push(badlySigned(actorHeader(partner), { ...claims, aud: `${claims['aud'] as string}`.replace(REALM, 'fabrikam.com') }))
    early.push(badlySigned(actorHeader(partner), { ...claims, nbf: nowSec() - 7200 - n, exp: nowSec() - 3600 }))
  }
  const sig = Array.from({ length: opts.rejectPool }, (_, n) => badlySigned(actorHeader(partner), actorClaims(partner, n)))
  const generated = join(dir, 'generated.input')
  writeFileSync(generated, generatorInput(partner, actorForUsers))
  return {
    none: writePool(dir, 'none', []),
    appWarm: writePool(dir, 'app-warm', [app]),
    userWarm: writePool(dir, 'user-warm', users),
    cold: writePool(dir, 'cold', cold),
    rejectEarly: writePool(dir, 'reject-early', early),
    rejectSig: writePool(dir, 'reject-sig', sig),
    generated,
    sizes: { 'app-warm': 1, 'user-warm': users.length, cold: cold.length, 'reject-early': early.length, 'reject-sig': sig.length },
  }
}

/**
 * What an Exchange Web Services client sends besides Host and Authorization (--client-head): with these the
 * gateway's header work meets a real head (Authorization among other fields, a Connection field to drop), which
 * wrk's two fields never show.
 */
export const CLIENT_HEAD: readonly string[] = [
  'User-Agent: ExchangeServicesClient/15.02.1544.004',
  'Accept: text/xml',
  'Accept-Encoding: gzip, deflate',
  'X-AnchorMailbox: alice@contoso.com',
  'Client-Request-Id: 2f0e6b1a-8d4e-4c3b-9a77-1f2e3d4c5b6a',
  'Return-Client-Request-Id: true',
  'Prefer: IdType="EwsId"',
  'Connection: Keep-Alive',
]

export function writeClientHead(dir: string): string {
  const file = join(dir, 'client-head.txt')
  writeFileSync(file, `${CLIENT_HEAD.join('\n')}\n`)
  return file
}
