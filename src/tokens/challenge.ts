// Tokens: the WWW-Authenticate challenge sent with every 401 (docs/PROTOCOL.md §5.4): realm first, no spaces after
// commas, so TokenHelper-style clients that take the 36 characters after `Bearer realm="` can read it.
import type { AuthorizationServers } from '../auth-servers/index.js'
import type { GatewayConfig } from '../schema/index.js'
import type { Challenge } from '../errors/index.js'
import type { PartnerRegistry } from '../partners/index.js'

// A value we put between quotes: no quote, backslash, comma or whitespace (RFC 9110 §11.2 quoted-string).
const SAFE_VALUE = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/

/** The interface the one error writer takes (errors/answer.ts), built here from the configuration. */
export type { Challenge }

/**
 * `servers` (issue 7): their issuers join trusted_issuers, and the first configured authorizationUri is sent as
 * authorization_uri (§5.1). Partners reached through a server are not listed: they sign nothing themselves, and
 * Exchange self-issues when it finds its own issuer in the list (§5.3).
 */
export function createChallenge(config: GatewayConfig, registry: PartnerRegistry, servers?: AuthorizationServers): Challenge {
  let cached: string | undefined
  const authorizationUri = config.authorizationServers.find((s) => s.authorizationUri !== undefined)?.authorizationUri
  const extra = authorizationUri !== undefined && SAFE_VALUE.test(authorizationUri) ? `,authorization_uri="${authorizationUri}"` : ''
  const base = (): string => {
    if (cached !== undefined) return cached
    const issuers: string[] = []
    const add = (issuer: string | undefined): void => {
      if (issuer !== undefined && SAFE_VALUE.test(issuer) && !issuers.includes(issuer)) issuers.push(issuer)
    }
    if (config.challenge.listTrustedIssuers) {
      for (const partner of registry.all()) {
        const identity = partner.identity()
        if (identity !== undefined && partner.config.authorizationServer === undefined) add(`${identity.id}@${identity.realm}`)
      }
      for (const server of servers?.all() ?? []) add(server.issuer())
    }
    const value = `Bearer realm="${config.service.realm}",client_id="${config.service.id}",trusted_issuers="${issuers.join(',')}"${extra}`
    // Partner and server identities only ever go from unknown to known, so the text is final once every one is known:
    // realms too, as a partner pinned by applicationId alone is listed only once its document named its realm.
    if (!registry.hasUnknownIdentities() && servers?.hasUnidentified() !== true) cached = value
    return value
  }
  return {
    missing: base,
    invalid: () => `${base()},error="invalid_token"`,
  }
}
