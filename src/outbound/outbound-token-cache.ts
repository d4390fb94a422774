// Outbound signing: a bounded cache of the tokens we minted for partners (docs/PROTOCOL.md §5.5 step 4: reuse a
// token until exp - 5 min). Keys include our signer's x5t, so a token signed by a retired key is never served.
import { LRUCache } from 'lru-cache'

/** Read from the configuration (section outbound), whose schema holds the defaults. */
export interface OutboundTokenCacheLimits {
  /** outbound.tokenCacheMaxEntries: one entry per (partner, audience, user) in use; users make it large, so it is capped. */
  maxEntries: number
  /** outbound.tokenRefreshBeforeExpirySec: a token this close to exp is minted afresh, so none reaches a partner just as it expires. */
  refreshBeforeExpirySec: number
}

/** One minted token and its validity, epoch seconds. */
export interface CachedToken {
  token: string
  nbf: number
  exp: number
  /** x5t of the certificate that signed the actor token. */
  x5t: string
}

export interface TokenCacheKey {
  partner: string
  audience: string
  issuer: string
  /** Our current signer. */
  x5t: string
  /** '' for the app-only token, 'actor' for the delegating actor token, else a stable user key. */
  subject: string
}

export interface OutboundTokenCache {
  /** The token when it is still at least refreshBeforeExpirySec from expiry, else undefined. */
  get(key: TokenCacheKey, nowSec: number): CachedToken | undefined
  set(key: TokenCacheKey, token: CachedToken): void
  /** Drop every token of a partner (it answered 401: its view of us, or ours of it, changed). */
  forgetPartner(partner: string): void
  size(): number
}

const keyText = (k: TokenCacheKey): string => `${k.partner}\n${k.audience}\n${k.issuer}\n${k.x5t}\n${k.subject}`

export function createOutboundTokenCache(limits: OutboundTokenCacheLimits): OutboundTokenCache {
  const { refreshBeforeExpirySec } = limits
  const entries = new LRUCache<string, CachedToken>({ max: Math.max(1, limits.maxEntries) })
  return {
    get(key, nowSec) {
      const text = keyText(key)
      const hit = entries.get(text)
      if (hit === undefined) return undefined
      if (nowSec >= hit.exp - refreshBeforeExpirySec || nowSec < hit.nbf) {
        entries.delete(text)
        return undefined
      }
      return hit
    },
    set(key, token) {
      entries.set(keyText(key), token)
    },
    forgetPartner(partner) {
      const prefix = `${partner}\n`
      for (const text of [...entries.keys()]) if (text.startsWith(prefix)) entries.delete(text)
    },
    size: () => entries.size,
  }
}
