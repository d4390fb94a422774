// Listening: start a built gateway on its configured addresses, report where it listens, drain on close.
// Used by main.ts (serve), the demo and the integration tests.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isLoopbackHost } from '../net/index.js'
import type { GatewayConfig } from '../schema/index.js'
import { buildGateway, type Gateway, type GatewayDeps } from './build-gateway.js'

export interface RunningGateway {
  gateway: Gateway
  /** e.g. http://127.0.0.1:8443 (the bound address, not a public name). */
  inboundUrl: string
  adminUrl: string
  /** The outbound listener (issue 3), when listen.outbound is configured, e.g. http://127.0.0.1:8444. */
  outboundUrl: string | undefined
  /** The forward-auth decision listener (issue 13), when listen.forwardAuth is configured, e.g. http://127.0.0.1:8445. */
  forwardAuthUrl: string | undefined
  /** Stop accepting, let in-flight requests finish (up to shutdown.drainTimeoutMs), then close. */
  close(): Promise<void>
}


function urlOf(app: { server: Server } | Server, scheme: string): string {
  const address = ('server' in app ? app.server : app).address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `${scheme}://${host}:${address.port}`
}

/** Which listeners this process opens: with `workers` above 1 the primary opens admin, each worker the others. */
export type ListenerSet = 'all' | 'admin' | 'requests'

export async function startGateway(config: GatewayConfig, deps: GatewayDeps, listeners: ListenerSet = 'all'): Promise<RunningGateway> {
  const gateway = buildGateway(config, deps) // reads listen.inbound.tls (lifecycle/runtime.ts)
  const tls = gateway.holder.current.inboundTls
  const requests = listeners !== 'admin'
  if (requests && tls === undefined && !isLoopbackHost(config.listen.inbound.host)) {
    deps.logger.warn(
      { host: config.listen.inbound.host },
      'INBOUND LISTENER HAS NO TLS ON A NON-LOOPBACK ADDRESS: bearer tokens travel in clear text unless TLS is terminated in front of the gateway',
    )
  }
  if (requests) await gateway.inbound.listen({ host: config.listen.inbound.host, port: config.listen.inbound.port })
  if (listeners !== 'requests') await gateway.admin.listen({ host: config.listen.admin.host, port: config.listen.admin.port })
  if (requests && gateway.outbound !== undefined) {
    try {
      await listenOutbound(gateway.outbound, config)
    } catch (err) {
      await gateway.close()
      throw err
    }
  }
  if (requests && gateway.forwardAuth !== undefined && config.listen.forwardAuth !== undefined) {
    try {
      await listenOn(gateway.forwardAuth, config.listen.forwardAuth)
    } catch (err) {
      await gateway.close()
      throw err
    }
  }
  gateway.state.ready = requests // the primary of several workers is ready when they are (src/workers/)
  void gateway.warmUp()
  return {
    gateway,
    inboundUrl: requests ? urlOf(gateway.inbound, tls === undefined ? 'http' : 'https') : '',
    adminUrl: listeners !== 'requests' ? urlOf(gateway.admin, 'http') : '',
    outboundUrl: gateway.outbound === undefined || !requests ? undefined : urlOf(gateway.outbound, 'http'),
    forwardAuthUrl: gateway.forwardAuth === undefined || !requests ? undefined : urlOf(gateway.forwardAuth, 'http'),
    close: () => drainAndClose(gateway, gateway.holder.current.config.shutdown.drainTimeoutMs),
  }
}

async function drainAndClose(gateway: Gateway, drainTimeoutMs: number): Promise<void> {
  const timer = setTimeout(() => {
    gateway.inbound.server.closeAllConnections()
    gateway.admin.server.closeAllConnections()
    gateway.outbound?.closeAllConnections()
    gateway.forwardAuth?.closeAllConnections()
  }, drainTimeoutMs)
  timer.unref()
  try {
    await gateway.close()
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The outbound listener signs whatever it is sent with our certificate: off loopback it must require the
 * shared secret (config/check-outbound.ts refuses such a file; this guards any other way a config arrives).
 */
async function listenOutbound(server: Server, config: GatewayConfig): Promise<void> {
  const listen = config.listen.outbound
  if (listen === undefined) return
  if (!isLoopbackHost(listen.host) && listen.sharedSecret === undefined) {
    throw new Error(`listen.outbound.host ${listen.host} is not loopback and listen.outbound.sharedSecret is not set: refusing to start an open relay`)
  }
  await listenOn(server, listen)
}

function listenOn(server: Server, listen: { host: string; port: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
