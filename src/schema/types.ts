// Schema: names for the shape of a loaded, validated configuration (config/load.ts produces it, frozen). The shape
// is derived from the one schema (schema.ts, through derive.ts): what each key means, its default and its range
// are documented there, not here. This file only names parts of it for the code that receives them.
import type { ConfigOf } from './derive.js'
import type { PARTNER_SCHEMA, SCHEMA } from './schema.js'

/**
 * The whole configuration. Every key comes from the schema: the checks normalise values in place (lowercase
 * ids and realms, publicHosts as aud authorities, CIDRs) and fill the keys marked setByCheck, but add none, so
 * there are no loaded-only extras to declare beside it.
 */
export type GatewayConfig = ConfigOf<typeof SCHEMA>

/** One entry of `partners`. */
export type PartnerConfig = ConfigOf<typeof PARTNER_SCHEMA>

export type TrustLevel = PartnerConfig['trustLevel']

/** host, port and maxConnections, as every listener has them. */
export type ListenConfig = GatewayConfig['listen']['admin']

/** listen.inbound.tls: absolute paths of the PEM certificate chain and key. */
export type TlsFiles = NonNullable<GatewayConfig['listen']['inbound']['tls']>

/** A partner's `tls`: how its metadata URL is fetched. */
export type PartnerTlsConfig = PartnerConfig['tls']

/** Calls from our backend to one partner (issue 3 §1); audienceHost and issuerRealm filled by check-outbound.ts. */
export type PartnerOutboundConfig = NonNullable<PartnerConfig['outbound']>

/** One entry of a partner's `permissions` (issue 10); its name filled by check-access.ts when omitted. */
export type PermissionConfig = NonNullable<PartnerConfig['permissions']>[number]

/** Authorization settings shared by every partner (issue 10). */
export type AccessConfig = GatewayConfig['access']

/** An `access.deny` entry: checked first, for every partner. */
export type AccessDenyConfig = AccessConfig['deny'][number]

/** A third-party token server (issue 7, docs/PROTOCOL.md §6). */
export type AuthorizationServerConfig = GatewayConfig['authorizationServers'][number]

/** Admission limits (issue 14 §1); an absent key is no limit of that kind. */
export type LimitsConfig = GatewayConfig['limits']
