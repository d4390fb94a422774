// Property tests (issue 5 §2) for token parsing and validation: whatever arrives, only our typed GatewayErrors come
// out (with the three codes validate() documents), no token is accepted unless its actor signature verifies with
// the key of the partner it names, and bounded input always completes. fast-check, generated at test time.
import { sign, verify, type KeyObject } from 'node:crypto'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/errors/index.js'
import { extractBearer } from '../../../src/tokens/index.js'
import { classifyToken } from '../../../src/tokens/classify.js'
import type { Identity } from '../../../src/identity/types.js'
import { b64u, PUBLIC_HOST, REALM, SERVICE_ID, wrapRaw } from '../../helpers/tokens.js'
import { jws } from './forge.js'
import { makeHarness, makeWorld, NOW, type Harness, type World } from './world.js'

let w: World
let h: Harness
beforeAll(async () => {
  w = await makeWorld()
  h = makeHarness(w)
})

const VALIDATE_CODES = new Set(['GW_TOKEN_INVALID', 'GW_NOT_ALLOWED', 'GW_PARTNER_UNAVAILABLE'])
const RUNS = { numRuns: 300 }

/** Resolve to the identity, or to the error; fail the property on anything but a GatewayError we document. */
async function outcome(token: string): Promise<Identity | GatewayError> {
  try {
    return await h.validator.validate(token)
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError)
    expect(VALIDATE_CODES.has((err as GatewayError).code), (err as GatewayError).code).toBe(true)
    return err as GatewayError
  }
}

// Segments: base64url of JSON of any shape, of raw bytes, of header- and claim-like objects, or base64url noise.
const json = fc.jsonValue({ maxDepth: 4 })
const algs = fc.constantFrom('RS256', 'rs256', 'none', 'None', 'NONE', 'HS256', 'PS256', 'ES256', 'RS384', '', 'RS256 ')
const headerLike = fc.record(
  { alg: fc.oneof(algs, json), typ: fc.constantFrom('JWT', 'jwt', 'JWS', 'at+jwt'), x5t: fc.oneof(fc.string({ maxLength: 40 }), json), kid: fc.string({ maxLength: 40 }), jku: fc.constant('https://attacker.example/k'), crit: fc.constant(['exp']) },
  { requiredKeys: ['alg'] },
)
const claimValue = fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), json)
const claimsLike = fc.dictionary(fc.constantFrom('iss', 'aud', 'nameid', 'nbf', 'exp', 'actortoken', 'trustedfordelegation', 'upn', 'smtp', 'nii', '__proto__', 'constructor'), claimValue, { maxKeys: 9 })
const segment = fc.oneof(
  json.map((v) => b64u(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => b64u(Buffer.from(bytes))),
  headerLike.map((v) => b64u(JSON.stringify(v))),
  claimsLike.map((v) => b64u(JSON.stringify(v))),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,64}$/),
)
const tokenLike: fc.Arbitrary<string> = fc.letrec<{ token: string }>((tie) => ({
  token: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(segment, segment, segment).map((s) => s.join('.')),
    fc.tuple(segment, segment).map(([a, b]) => `${a}.${b}.`),
    fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('.')),
    // An outer alg-none token whose actortoken is itself anything token-like.
    fc.tuple(claimsLike, tie('token')).map(([claims, inner]) => wrapRaw({ ...claims, actortoken: inner })),
  ),
})).token

describe('parsing never throws anything but GatewayError', () => {
  it('extractBearer: any header value gives a token, nothing, or GW_TOKEN_INVALID', () => {
    const prefix = fc.constantFrom('', 'Bearer ', 'bearer ', 'BEARER\t', 'Bearer', 'Basic ', 'Bearer  ')
    fc.assert(
      fc.property(prefix, fc.string({ unit: 'binary', maxLength: 512 }), (p, rest) => {
        try {
          const token = extractBearer(p + rest)
          if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9_.-]+$/)
        } catch (err) {
          expect(err).toBeInstanceOf(GatewayError)
          expect((err as GatewayError).code).toBe('GW_TOKEN_INVALID')
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('classifyToken: any string or token-shaped input classifies or throws GW_TOKEN_INVALID', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 2048 }), tokenLike), (token) => {
        try {
          const classified = classifyToken(token)
          expect(['app', 'user']).toContain(classified.kind)
          expect(classified.actor.header['alg']).toBe('RS256')
        } catch (err) {
          expect(err).toBeInstanceOf(GatewayError)
          expect((err as GatewayError).code).toBe('GW_TOKEN_INVALID')
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('validate: arbitrary strings and token-shaped junk up to 16 KiB are refused with a documented error', async () => {
    const big = fc.tuple(tokenLike, fc.integer({ min: 0, max: 16_384 })).map(([t, pad]) => (pad > 8_000 ? t + 'A'.repeat(pad) : t))
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 16_384 }), tokenLike, big), async (token) => {
        const result = await outcome(token)
        expect(result).toBeInstanceOf(GatewayError) // no junk ever verifies
      }),
      RUNS,
    )
  })

  it('validate: deeply nested or huge JSON within the size cap completes (no unbounded recursion or allocation)', async () => {
    const nested = fc.integer({ min: 1, max: 4_000 }).map((depth) => {
      const head = b64u(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: w.exchange.cert.x5t }))
      return `${head}.${b64u(`{"iss":${'['.repeat(depth)}${']'.repeat(depth)}}`)}.${b64u('s')}`
    })
    const numbers = fc.constantFrom('1e308', '-0', '1e-400', '123456789012345678901234567890', '0.1e1').map((n) =>
      `${b64u(JSON.stringify({ alg: 'RS256' }))}.${b64u(`{"nbf":${n},"exp":${n},"iss":"a@b","aud":"${SERVICE_ID}/${PUBLIC_HOST}@${REALM}","nameid":"a@b"}`)}.${b64u('s')}`)
    await fc.assert(fc.asyncProperty(fc.oneof(nested, numbers), async (token) => void (await outcome(token))), { numRuns: 200 })
  })
})

describe('never accepted unless the actor signature verifies with the named partner key', () => {
  type Signer = 'exchange' | 'lync' | 'rogue' | 'gateway' | 'garbage' | 'none'
  const keyOf = (s: Signer): KeyObject | undefined =>
    s === 'exchange' ? w.exchange.cert.privateKey : s === 'lync' ? w.lync.cert.privateKey : s === 'rogue' ? w.rogue.privateKey : s === 'gateway' ? w.gateway.privateKey : undefined
  const publicOf: Record<string, () => string> = { exchange: () => w.exchange.cert.certPem, lync: () => w.lync.cert.certPem }

  // Claims near a valid token (so many verify), with any subset of claims replaced by hostile values.
  const nearValid = fc.record({
    issuer: fc.constantFrom('exchange', 'lync'),
    // 'own': the issuer's own key (most often, so that many tokens verify); otherwise any other signer.
    signer: fc.constantFrom<Signer | 'own'>('own', 'own', 'own', 'own', 'exchange', 'lync', 'rogue', 'gateway', 'garbage', 'none'),
    x5t: fc.constantFrom('exchange', 'lync', 'rogue', 'gateway', 'absent', 'junk'),
    alg: fc.constantFrom('RS256', 'RS256', 'RS256', 'RS256', 'RS256', 'none', 'HS256', 'rs256'),
    overrides: fc.oneof(fc.constant({}), fc.dictionary(fc.constantFrom('aud', 'nbf', 'exp', 'nameid', 'trustedfordelegation', 'iss'), claimValue, { maxKeys: 2 })),
    user: fc.option(fc.record({ upn: fc.oneof(fc.constant('alice@contoso.com'), fc.string({ maxLength: 20 })) }, { requiredKeys: [] })),
  })

  it('for tokens built from valid parts, wrong keys and hostile claims', async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(nearValid, async (generated) => {
        const t = { ...generated, signer: generated.signer === 'own' ? generated.issuer : generated.signer }
        const partner = t.issuer === 'exchange' ? w.exchange : w.lync
        const claims = { ...partner.actorClaims({ nbf: NOW - 300, exp: NOW + 3600 }), ...t.overrides }
        const x5t = { exchange: w.exchange.cert.x5t, lync: w.lync.cert.x5t, rogue: 'rogue-x5t', gateway: w.gateway.x5t, absent: undefined, junk: 'x'.repeat(27) }[t.x5t]
        const header = { typ: 'JWT', alg: t.alg, ...(x5t === undefined ? {} : { x5t }) }
        const key = keyOf(t.signer)
        const actor = jws(header, claims, (input) => (key !== undefined ? sign('sha256', Buffer.from(input), key) : t.signer === 'garbage' ? Buffer.alloc(256, 1) : ''))
        const token = t.user === null ? actor : wrapRaw({ aud: claims['aud'], iss: claims['nameid'], nbf: NOW - 300, exp: NOW + 3600, ...t.user, actortoken: actor })
        const result = await outcome(token)
        if (result instanceof GatewayError) return
        accepted++
        // Accepted: the signer was the named partner, and its public key verifies the actor's signature.
        expect(t.signer).toBe(result.partner)
        const [head = '', payload = '', signature = ''] = actor.split('.')
        const pem = publicOf[result.partner]?.()
        expect(pem).toBeDefined()
        expect(verify('sha256', Buffer.from(`${head}.${payload}`), pem as string, Buffer.from(signature, 'base64url'))).toBe(true)
      }),
      RUNS,
    )
    expect(accepted, 'the generator reaches valid tokens too, so the property is not vacuous').toBeGreaterThan(0)
  })

  it('segments spliced from different valid tokens are never accepted', async () => {
    const pool = Array.from({ length: 6 }, (_, i) => w.exchange.actorToken({ nbf: NOW - 300, exp: NOW + 3600, jti: i }).split('.') as [string, string, string])
    const index = fc.integer({ min: 0, max: pool.length - 1 })
    await fc.assert(
      fc.asyncProperty(index, index, index, async (a, b, c) => {
        const token = `${pool[a]?.[0]}.${pool[b]?.[1]}.${pool[c]?.[2]}`
        const result = await outcome(token)
        // Every pooled token has the same header, so only the payload and signature must come from one token.
        expect(result instanceof GatewayError).toBe(b !== c)
      }),
      { numRuns: 200 },
    )
  })
})
