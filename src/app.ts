// buildGateway(config, deps): the inbound and admin apps around one swappable Runtime. Never listens, never
// reads process.env; server.ts listens, main.ts wires signals.
import type { FastifyInstance } from 'fastify'
import type { Logger as PinoLogger } from 'pino'
import type { GatewayConfig } from './config/types.js'
import { buildAdminApp, type AdminState } from './admin/admin-app.js'
import { buildInboundApp, type RuntimeHolder } from './proxy/inbound-app.js'
import { createRuntime, type RuntimeDeps } from './runtime.js'

export interface GatewayDeps extends Omit<RuntimeDeps, 'log' | 'previous'> {
  logger: PinoLogger
  /** TLS material for the inbound listener, read by the caller from listen.inbound.tls. */
  tls?: { cert: Buffer; key: Buffer }
}

export interface Gateway {
  readonly inbound: FastifyInstance
  readonly admin: FastifyInstance
  readonly holder: RuntimeHolder
  readonly state: AdminState
  /** Swap in a new, already validated configuration. Old partners stop matching at once. */
  reload(config: GatewayConfig): void
  /** Start loading every partner's metadata in the background (requests also load on demand). */
  warmUp(): Promise<void>
  close(): Promise<void>
}

export function buildGateway(config: GatewayConfig, deps: GatewayDeps): Gateway {
  const runtimeDeps = { ...deps, log: deps.logger.child({ component: 'partners' }) }
  const holder: RuntimeHolder = { current: createRuntime(config, runtimeDeps) }
  const state: AdminState = { ready: false }
  const inbound = buildInboundApp(holder, deps.logger, deps.tls)
  const admin = buildAdminApp(holder, state, deps.logger)
  return {
    inbound,
    admin,
    holder,
    state,
    reload(next) {
      const previous = holder.current
      holder.current = createRuntime(next, { ...runtimeDeps, previous })
      void holder.current.registry.loadAll()
      previous.close()
    },
    warmUp: () => holder.current.registry.loadAll(),
    async close() {
      state.ready = false
      await Promise.allSettled([inbound.close(), admin.close()])
      holder.current.close()
    },
  }
}
