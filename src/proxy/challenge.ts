// Proxy: the WWW-Authenticate challenge sent with every 401 (PROTOCOL.md §5.4): realm first, no spaces after
// commas, so TokenHelper-style clients that take the 36 characters after `Bearer realm="` can read it.
import type { GatewayConfig } from '../config/types.js'
import type { PartnerRegistry } from '../partners/types.js'

// A value we put between quotes: no quote, backslash, comma or whitespace (RFC 9110 §11.2 quoted-string).
const SAFE_VALUE = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/

export interface Challenge {
  /** Header value for a request that carried no token. */
  missing(): string
  /** Header value for a rejected token (adds error="invalid_token"). */
  invalid(): string
}

export function createChallenge(config: GatewayConfig, registry: PartnerRegistry): Challenge {
  let cached: string | undefined
  const base = (): string => {
    if (cached !== undefined) return cached
    const issuers: string[] = []
    if (config.challenge.listTrustedIssuers) {
      for (const partner of registry.all()) {
        const identity = partner.identity()
        const issuer = identity === undefined ? '' : `${identity.id}@${identity.realm}`
        if (SAFE_VALUE.test(issuer) && !issuers.includes(issuer)) issuers.push(issuer)
      }
    }
    const value = `Bearer realm="${config.service.realm}",client_id="${config.service.id}",trusted_issuers="${issuers.join(',')}"`
    // Partner identities only ever go from unknown to known, so the text is final once every one is known.
    if (!registry.hasUnidentifiedPartners()) cached = value
    return value
  }
  return {
    missing: base,
    invalid: () => `${base()},error="invalid_token"`,
  }
}
