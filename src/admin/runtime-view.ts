// Admin: what /metrics, /status and /reload read from the Runtime in use (see inbound/runtime-view.ts for why a
// reader declares its view).
import type { AuthorizationServers } from '../auth-servers/index.js'
import type { IssuerKeys } from '../issuer/index.js'
import type { PartnerLimits } from '../limits/index.js'
import type { PartnerRegistry } from '../partners/index.js'
import type { GatewayConfig } from '../schema/index.js'

export interface AdminRuntime {
  readonly config: GatewayConfig
  readonly registry: PartnerRegistry
  /** Third-party token servers (issue 7): their metadata keys, issuer ids and issuance endpoints. */
  readonly authorizationServers: AuthorizationServers
  readonly issuer: IssuerKeys
  readonly limits: ReadonlyMap<string, PartnerLimits>
}
