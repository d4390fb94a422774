// Outbound signing: the tokens we send to partners (docs/PROTOCOL.md §2.5, §3): an app-only actor token, or an
// unsigned outer token with the user's claims around an actor token with trustedfordelegation "true". Reuses
// mint.ts and caches per (partner, audience, issuer, our x5t, user) until 5 minutes before exp.
import type { UserClaims } from '../identity/index.js'
import { mintActorToken, wrapUserToken, type DateFormat, type TokenSigner } from '../issuer/index.js'
import type { CachedToken, OutboundTokenCache, TokenCacheKey } from './outbound-token-cache.js'

/** Emitted nbf is now minus this (docs/PROTOCOL.md §7.12: receivers with slow clocks reject not-yet-valid tokens). */
export const NBF_BACKDATE_SEC = 300

export interface OutboundTokenRequest {
  /** Registered partner name (cache key and metric label). */
  partner: string
  /** `<service.id>@<issuerRealm>`: iss and nameid. */
  issuer: string
  /** `<partner principal>/<host[:port]>@<partner realm>`. */
  audience: string
  /** Seconds from now to exp (outbound.tokenLifetimeSec). */
  lifetimeSec: number
  dateFormat: DateFormat
  /** Present for a call on behalf of a user. */
  user?: UserClaims
}

export interface IssuedToken extends CachedToken {
  authType: 'app' | 'user'
  /** False when served from the cache. */
  minted: boolean
}

export interface OutboundTokenIssuerDeps {
  /** Our current signer (issuer.certificates[0]). */
  signer: TokenSigner
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number
  /** Bounded by the outbound section of the configuration (createOutboundTokenCache). */
  cache: OutboundTokenCache
  /** Called once per token minted or wrapped (not for cache hits). Exceptions are swallowed. */
  onIssued?: (partner: string, authType: 'app' | 'user') => void
}

export interface OutboundTokenIssuer {
  issue(request: OutboundTokenRequest): Promise<IssuedToken>
  /** The token `issue` would serve from the cache, now; undefined when one would have to be signed. */
  cached(request: OutboundTokenRequest): IssuedToken | undefined
  /** Forget a partner's tokens, so the next call mints afresh. */
  forgetPartner(partner: string): void
}

/** Stable cache subject for a user: every claim, in a fixed order. */
export function userSubject(user: UserClaims): string {
  return JSON.stringify([user.nameid ?? null, user.nii ?? null, user.upn ?? null, user.smtp ?? null, user.sip ?? null])
}

/**
 * An IssuedToken as one literal shape (issue 11). Built by spreading the cached entry, each call's token and the
 * results holding it missed their inline caches: `--log-ic` showed the outbound listener's reads of `token`,
 * `authType` and `x5t` as megamorphic misses on every call.
 */
function issuedToken(entry: CachedToken, authType: IssuedToken['authType'], minted: boolean): IssuedToken {
  return { token: entry.token, nbf: entry.nbf, exp: entry.exp, x5t: entry.x5t, authType, minted }
}

export function createOutboundTokenIssuer(deps: OutboundTokenIssuerDeps): OutboundTokenIssuer {
  const now = deps.now ?? Date.now
  const { cache, signer } = deps
  const issued = (partner: string, authType: 'app' | 'user'): void => {
    try {
      deps.onIssued?.(partner, authType)
    } catch {
      // metrics only: never part of the call
    }
  }

  const keyOf = (request: OutboundTokenRequest, subject: string): TokenCacheKey =>
    ({ partner: request.partner, audience: request.audience, issuer: request.issuer, x5t: signer.x5t, subject })

  /** The token sent for `request`: the app-only actor token, or the outer token that names the user. */
  const sentKey = (request: OutboundTokenRequest): TokenCacheKey => keyOf(request, request.user === undefined ? '' : userSubject(request.user))

  function cached(request: OutboundTokenRequest): IssuedToken | undefined {
    const hit = cache.get(sentKey(request), Math.floor(now() / 1000))
    return hit === undefined ? undefined : issuedToken(hit, request.user === undefined ? 'app' : 'user', false)
  }

  /** The actor token (app-only, or delegating for users), from the cache or freshly signed. */
  async function actor(request: OutboundTokenRequest, delegating: boolean, nowSec: number): Promise<CachedToken & { minted: boolean }> {
    const key = keyOf(request, delegating ? 'actor' : '')
    const hit = cache.get(key, nowSec)
    if (hit !== undefined) return { ...hit, minted: false }
    const nbf = nowSec - NBF_BACKDATE_SEC
    const exp = nowSec + request.lifetimeSec
    const token = await mintActorToken(signer, {
      issuer: request.issuer, audience: request.audience, nbf, exp, dateFormat: request.dateFormat,
      ...(delegating ? { trustedForDelegation: true } : {}),
    })
    const entry = { token, nbf, exp, x5t: signer.x5t }
    cache.set(key, entry)
    if (!delegating) issued(request.partner, 'app')
    return { ...entry, minted: true }
  }

  return {
    async issue(request) {
      const nowSec = Math.floor(now() / 1000)
      if (request.user === undefined) {
        const actorToken = await actor(request, false, nowSec)
        return issuedToken(actorToken, 'app', actorToken.minted)
      }
      const key = sentKey(request)
      const hit = cache.get(key, nowSec)
      if (hit !== undefined) return issuedToken(hit, 'user', false)
      const inner = await actor(request, true, nowSec)
      // The outer token lives exactly as long as its actor (Exchange clamps outer exp to the actor's).
      const token = wrapUserToken({
        actorToken: inner.token, issuer: request.issuer, audience: request.audience, nbf: inner.nbf, exp: inner.exp,
        user: request.user, dateFormat: request.dateFormat,
      })
      const entry = { token, nbf: inner.nbf, exp: inner.exp, x5t: inner.x5t }
      cache.set(key, entry)
      issued(request.partner, 'user')
      return issuedToken(entry, 'user', true)
    },
    cached,
    forgetPartner: (partner) => cache.forgetPartner(partner),
  }
}
