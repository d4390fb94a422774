// Upstream: WebSocket upgrades (issue 14 §3). An upgrade request is not a second pipeline: it is handed to fastify's
// routing on a ServerResponse bound to its socket, so the path guard, authentication, permissions, limits and the
// access line treat it exactly like any request, and a refusal is an ordinary HTTP answer followed by a close.
// Once admitted, http-proxy relays the upgrade to the backend; the tracker below closes an upgraded connection when
// its token expires, when it idles, when a reload removes what admitted it, and on shutdown.
import { ServerResponse, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { GatewayConfig } from '../schema/index.js'
import type { Identity } from '../identity/index.js'
import { untrackConnection } from '../net/index.js'

const kUpgrade = Symbol('s2s-gateway.upgrade')

/** What the 'upgrade' event gave us, kept on the request until the catch-all route relays it. */
export interface UpgradeContext {
  socket: Duplex
  head: Buffer
}

type UpgradeRequest = IncomingMessage & { [kUpgrade]?: UpgradeContext }

/** The socket and unread bytes of a request that arrived through the server's 'upgrade' event, else undefined. */
export function upgradeOf(req: IncomingMessage): UpgradeContext | undefined {
  return (req as UpgradeRequest)[kUpgrade]
}

/** A WebSocket handshake we relay: GET with `Upgrade: websocket` (RFC 6455 §4.1). Anything else is refused. */
export function isWebSocketHandshake(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade
  return req.method === 'GET' && typeof upgrade === 'string' && upgrade.trim().toLowerCase() === 'websocket'
}

/**
 * Route upgrade requests through `handle` (fastify's routing) like any request. The response is bound to the raw
 * socket: an error answer is written on it and the socket is closed once that answer is out.
 */
export function installUpgradeRouting(server: Server, handle: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy()) // a client gone mid-handshake: nothing left to answer
    untrackConnection(socket as Socket)
    ;(req as UpgradeRequest)[kUpgrade] = { socket, head }
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as Socket)
    res.once('finish', () => socket.end())
    handle(req, res)
  })
}

/** One relayed WebSocket, as the tracker sees it. */
interface Tracked {
  socket: Duplex
  partner: string
  /** The permission that admitted it (x-s2s-permission), or undefined for a partner without permissions. */
  permission: string | undefined
  /** What admitted it, as configured then: the permission entry (or none) and access.deny, as JSON. */
  admission: string | undefined
  expiry: NodeJS.Timeout | undefined
}

export interface UpgradeTracker {
  /** Start watching an upgraded connection: token expiry and idle time. */
  opened(socket: Duplex, identity: Identity | undefined, permission: string | undefined, config: GatewayConfig): void
  /** After a reload: close connections whose partner, or the permission that admitted them, is gone. */
  revalidate(config: GatewayConfig): void
  /** Shutdown: close every upgraded connection. */
  closeAll(): void
  count(): number
}

const MAX_TIMER_MS = 2_147_483_647

export function createUpgradeTracker(now: () => number = Date.now): UpgradeTracker {
  const open = new Set<Tracked>()
  return {
    opened(socket, identity, permission, config) {
      const partner = identity?.partner ?? ''
      const entry: Tracked = { socket, partner, permission, admission: admissionOf(config, partner, permission), expiry: undefined }
      if (identity !== undefined) {
        const left = identity.expiresAt * 1000 - now()
        entry.expiry = setTimeout(() => socket.destroy(), Math.max(0, Math.min(left, MAX_TIMER_MS)))
        entry.expiry.unref()
      }
      // Idle in both directions: every byte relayed either way is read from or written to this socket.
      ;(socket as Socket).setTimeout?.(config.upstream.websocketIdleSec * 1000, () => socket.destroy())
      open.add(entry)
      socket.once('close', () => {
        clearTimeout(entry.expiry)
        open.delete(entry)
      })
    },
    revalidate(config) {
      for (const entry of open) if (!stillAdmitted(entry, config)) entry.socket.destroy()
    },
    closeAll() {
      for (const entry of open) entry.socket.destroy()
    },
    count: () => open.size,
  }
}

/**
 * The rules that admitted a connection, in a comparable form: the admitting permission entry (or "none" for a
 * partner without permissions) and every access.deny entry. Undefined when the partner is not configured.
 */
function admissionOf(config: GatewayConfig, partnerName: string, permission: string | undefined): string | undefined {
  const partner = config.partners.find((p) => p.name === partnerName)
  if (partner === undefined) return undefined
  const entry = permission === undefined ? (partner.permissions === undefined ? 'none' : undefined) : partner.permissions?.find((p) => p.name === permission)
  return entry === undefined ? undefined : JSON.stringify([entry, config.access.deny])
}

/** The partner is still configured and what admitted the connection is unchanged (its permission, access.deny). */
function stillAdmitted(entry: Tracked, config: GatewayConfig): boolean {
  if (entry.partner === '') return true // a public path: nobody's
  const now = admissionOf(config, entry.partner, entry.permission)
  return now !== undefined && now === entry.admission
}
