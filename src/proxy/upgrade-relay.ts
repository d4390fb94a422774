// Proxy: relay an admitted WebSocket handshake (issue 14 §3): identity headers exactly as for HTTP (spoofed
// x-s2s-* stripped), the Upgrade and Connection headers put back after the hop-by-hop sweep, then http-proxy's
// ws pass. Refused with 501 when upstream.websockets is false or the upgrade is not a WebSocket handshake.
import type { ServerResponse } from 'node:http'
import type { FastifyRequest } from 'fastify'
import { GatewayError } from '../errors.js'
import { logFields, writeRawError } from './reply-error.js'
import { applyPermissionHeader } from './authorize.js'
import { prepareUpstreamHeaders } from './upstream-headers.js'
import { isWebSocketHandshake, type UpgradeTracker, upgradeOf } from './websocket.js'

type Upgrade = NonNullable<ReturnType<typeof upgradeOf>>

export function relayUpgrade(request: FastifyRequest, res: ServerResponse, upgrade: Upgrade, tracker: UpgradeTracker): void {
  const gw = request.gw
  const { runtime, identity } = gw
  const fail = (err: GatewayError): void => {
    gw.error = err
    request.log[err.status >= 500 && err.code !== 'GW_NOT_IMPLEMENTED' ? 'warn' : 'info'](logFields(err), err.message)
    writeRawError(res, err, undefined)
  }
  const relay = runtime.forwarder.upgrade
  if (!runtime.config.upstream.websockets || relay === undefined || !isWebSocketHandshake(request.raw)) {
    fail(new GatewayError('GW_NOT_IMPLEMENTED', { detail: { problem: 'upgrade' } }))
    return
  }
  const req = request.raw
  const protocol = req.headers.upgrade
  prepareUpstreamHeaders(req, identity, runtime)
  applyPermissionHeader(req.headers, gw.access)
  req.headers.connection = 'Upgrade'
  req.headers.upgrade = protocol
  const permission = req.headers['x-s2s-permission']
  relay.call(runtime.forwarder, req, upgrade.socket, upgrade.head, fail, (status, ms) => {
    gw.upstreamStatus = status
    gw.upstreamMs = ms
    res.statusCode = status // what the access line reports: written to the socket by the relay, not through res
    if (status === 101) tracker.opened(upgrade.socket, identity, typeof permission === 'string' ? permission : undefined, runtime.config)
  })
}
