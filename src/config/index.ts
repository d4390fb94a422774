// Config: the public API. cli/ and main.ts load a file; everything else receives the frozen GatewayConfig.
export type { AccessConfig, AccessDenyConfig, PermissionConfig, AuthorizationServerConfig, GatewayConfig, ListenConfig, PartnerConfig, PartnerTlsConfig, TlsFiles, TrustLevel } from './types.js'
export { loadConfigFile, loadConfigObject, loadConfigText, parseConfigYaml, type LoadOptions, type LoadedConfig } from './load.js'
export { ConfigError, formatProblem, type ConfigProblem } from './problems.js'
export { AUTHORIZATION_SERVER_SCHEMA, DEFAULTS, PARTNER_DEFAULTS, SCHEMA, PARTNER_SCHEMA, type ConfigDefaults, type PartnerDefaults } from './schema.js'
export { renderDefaultsYaml, renderExampleYaml } from './render.js'
export { normalizeAuthority } from './hosts.js'
export type { Env } from './env.js'
export { workerCount } from './check-workers.js'
