// Inbound: relay an admitted WebSocket handshake (issue 14 §3): identity headers exactly as for HTTP (spoofed
// x-s2s-* stripped), the Upgrade and Connection headers put back after the hop-by-hop sweep, then http-proxy's
// ws pass. Refused with 501 when upstream.websockets is false or the upgrade is not a WebSocket handshake.
import { GatewayError } from '../errors/index.js'
import { bearerText } from '../tokens/index.js'
import { applyPermissionHeader, handshakeFacts } from './authorize.js'
import type { InboundCall } from './inbound-call.js'
import type { InboundRuntime } from './runtime-view.js'
import { channelJudge, relaysUpgrades } from './upgrade-admission.js'
import { prepareUpstreamHeaders } from './upstream-headers.js'
import { isWebSocketHandshake, type UpgradeContext, type UpgradeTracker } from '../upstream/index.js'

/** `fail` answers on the handshake's socket (nothing was sent yet). */
export function relayUpgrade(call: InboundCall, upgrade: UpgradeContext, tracker: UpgradeTracker<InboundRuntime>, fail: (err: GatewayError) => void): void {
  const { runtime, identity, req } = call
  const relay = runtime.forwarder.upgrade
  const token = bearerText(req.headers.authorization) // read before the header rewrite drops it
  // identity and token: always there for an authenticated handshake (inbound-handler.ts relays no other).
  if (!relaysUpgrades(runtime) || relay === undefined || !isWebSocketHandshake(req) || identity === undefined || token === undefined) {
    fail(new GatewayError('GW_NOT_IMPLEMENTED', { detail: { problem: 'upgrade' } }))
    return
  }
  // What a reload needs to judge the channel as it judged this handshake (upgrade-admission.ts).
  const permission = call.access?.permission
  const judge = channelJudge(token, handshakeFacts(req, identity, call.overrideHeaders), identity, permission)
  const protocol = req.headers.upgrade
  prepareUpstreamHeaders(req, identity, runtime, call.suspectHeaders)
  applyPermissionHeader(req.headers, call.access)
  req.headers.connection = 'Upgrade'
  req.headers.upgrade = protocol
  relay.call(runtime.forwarder, req, upgrade.socket, upgrade.head, fail, (status, ms) => {
    call.upstreamStatus = status
    call.upstreamMs = ms
    call.res.statusCode = status // what the access line reports: written to the socket by the relay, not through res
    if (status === 101) tracker.opened(upgrade.socket, identity.expiresAt, runtime.config.upstream.websocketIdleSec, runtime, judge)
  })
}
