// Schema: every configuration option with its default, unit and doc, exactly once; the configuration type is
// derived from it. Rendered as the example file and --print-defaults. Public API.
export { deepFreeze } from './freeze.js'
export { defaultOf, type Option, type SectionOption } from './options.js'
export { renderDefaultsYaml, renderExampleYaml } from './render.js'
export { AUTHORIZATION_SERVER_SCHEMA, DEFAULTS, PARTNER_DEFAULTS, PARTNER_SCHEMA, SCHEMA, type ConfigDefaults, type PartnerDefaults } from './schema.js'
export { type AccessConfig, type AccessDenyConfig, type AuthorizationServerConfig, type GatewayConfig, type ListenConfig, type PartnerConfig, type PartnerOutboundConfig, type PartnerTlsConfig, type PermissionConfig, type TlsFiles, type TrustLevel } from './types.js'
export type { ConfigOf } from './derive.js'
