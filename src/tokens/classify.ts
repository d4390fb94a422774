// Token validation, steps 2-3 (docs/PROTOCOL.md §4.2-4.3): tell an app-only actor token from an outer user-context
// token, and check the JOSE headers: RS256 only for the actor, alg none only for the outer wrapper.
import { tokenInvalid } from '../errors/index.js'
import { decodeJwt, type DecodedJwt } from './decode.js'

/** Headers that name keys or extensions we never honour: keys come from the partner registry only (§7.1). */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'] as const

/** The only signature algorithm of S2S actor tokens (§2.1), compared exactly: 'rs256' is refused. */
const ACTOR_ALG = 'RS256'

/** The decoded actor token and the x5t it names (a hint for key selection; `kid` is ignored). */
export interface ActorToken extends DecodedJwt {
  x5t: string | undefined
}

export type ClassifiedToken =
  | { kind: 'app'; actor: ActorToken }
  | { kind: 'user'; outer: DecodedJwt; actor: ActorToken }

function checkHeader(header: DecodedJwt['header']): void {
  const typ = header['typ']
  if (typ !== undefined && (typeof typ !== 'string' || typ.toLowerCase() !== 'jwt')) {
    throw tokenInvalid('header_not_allowed', { claim: 'typ' })
  }
  for (const name of FORBIDDEN_HEADERS) {
    if (header[name] !== undefined) throw tokenInvalid('header_not_allowed', { claim: name })
  }
}

/** Header rules of the signed actor token; the algorithm was checked by the caller. */
function toActor(jwt: DecodedJwt): ActorToken {
  checkHeader(jwt.header)
  const x5t = jwt.header['x5t']
  if (x5t !== undefined && typeof x5t !== 'string') throw tokenInvalid('malformed', { claim: 'x5t' })
  // A stripped signature can never verify: refuse it here, without spending a refetch on it.
  if (jwt.signature === '') throw tokenInvalid('signature')
  return { ...jwt, x5t }
}

/** An alg-none token: legal only as an unsigned wrapper around a signed, non-nested actor token (§3.1, §7.2). */
function classifyOuter(outer: DecodedJwt): ClassifiedToken {
  checkHeader(outer.header)
  if (outer.signature !== '') throw tokenInvalid('outer_signed')
  const actorText = outer.payload['actortoken']
  if (typeof actorText !== 'string') throw tokenInvalid('outer_no_actortoken')
  const actor = decodeJwt(actorText)
  if (actor.header['alg'] !== ACTOR_ALG) throw tokenInvalid('alg_not_allowed')
  if (actor.payload['actortoken'] !== undefined) throw tokenInvalid('nested_actortoken')
  return { kind: 'user', outer, actor: toActor(actor) }
}

/**
 * Decode and classify a token (docs/PROTOCOL.md §4.2): `alg` none in any case → outer token; `RS256` → app-only
 * actor token, unless it carries `actortoken` (a signed outer token, which Exchange rejects too); anything else
 * (HS*, PS*, ES*, 'rs256') → refused.
 * @throws GatewayError GW_TOKEN_INVALID
 */
export function classifyToken(token: string): ClassifiedToken {
  const jwt = decodeJwt(token)
  const alg = jwt.header['alg'] as string // decodeJwt guarantees a string
  if (alg.toLowerCase() === 'none') return classifyOuter(jwt)
  if (alg !== ACTOR_ALG) throw tokenInvalid('alg_not_allowed')
  if (jwt.payload['actortoken'] !== undefined) throw tokenInvalid('outer_signed')
  return { kind: 'app', actor: toActor(jwt) }
}
