// Net: the lifetime of every client connection on a listener (inbound, admin, outbound), issue 17. Node bounds
// none of it by default: a connection that never sends a byte stays open for ever, a head trickled a byte at a time
// lives ~90 s, a body may pause for ever, and the unread body of a refused request is drained however large it is.
// One timer per listener looks at each connection's phase and the bytes it has read since the last look:
//   head     no byte yet (connections.firstByteTimeoutMs), or a head begun but not complete (headersTimeoutMs)
//   body     the request's body is awaited and the client sends nothing (bodyIdleTimeoutMs)
//   busy     the request is read, the answer is being made: bounded by upstream.timeoutMs, not here
//   drain    answered before its (small) body was read: the rest must arrive within rejectedBodyTimeoutMs
//   idle     keep-alive between requests: Node's keepAliveTimeout, set from keepAliveTimeoutMs
// A refused request whose unread body may exceed rejectedBodyMaxBytes is answered `Connection: close` (the error
// writer's closeIfBodyUnread, errors/unread-body.ts, reads the limit registered here) and cut once its answer is written.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { Server as TlsServer } from 'node:tls'
import type { GatewayConfig } from '../schema/index.js'
import type { Logger } from '../log/index.js'
import { setRejectedBodyLimit, unreadMayExceed } from '../errors/index.js'

export type ConnectionLimits = GatewayConfig['connections'] & { maxConnections: number }

type Phase = 'head' | 'body' | 'busy' | 'drain' | 'idle'
type CutReason = 'first_byte' | 'headers' | 'body_idle' | 'rejected_body'

interface Tracked {
  phase: Phase
  acceptedAt: number
  /** When the current head's first byte was seen; undefined while none. */
  headAt: number | undefined
  /** socket.bytesRead at the last look, and when it last grew. */
  read: number
  progressAt: number
  /** When the answer to a request with an unread body was written. */
  drainAt: number
  /**
   * The request being read or drained; let go once the connection is idle (issue 11). A Tracked lives as long as its
   * connection, so it is soon in V8's old generation, and a request it still points at survives every young-generation
   * GC until the next request on that connection replaces it: response, headers and buffers copied and promoted with
   * it (under load, twice the bare proxy's bytes surviving each scavenge; BENCHMARKS.md).
   */
  req: IncomingMessage | undefined
  limits: () => ConnectionLimits
}

const tracked = new WeakMap<Socket, Tracked>()

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const t = tracked.get(req.socket)
  if (t === undefined) return
  t.phase = 'body'
  t.req = req
  t.headAt = undefined
  t.progressAt = performance.now()
  res.on('finish', () => {
    // 'finish' is emitted once: `on` spares the once-wrapper and its removal on every request.
    if (req.complete) {
      t.phase = 'idle'
      t.req = undefined
      return
    }
    // Answered before the body was read: a large or unknown rest is never read; a small one only for a while.
    if (!res.shouldKeepAlive || unreadMayExceed(req, t.limits().rejectedBodyMaxBytes)) {
      req.socket.destroySoon()
      return
    }
    t.phase = 'drain'
    t.drainAt = performance.now()
  })
}

/** The reason to cut this connection now, if any. */
function overdue(t: Tracked, socket: Socket, now: number): CutReason | undefined {
  const read = socket.bytesRead
  if (read !== t.read) {
    t.read = read
    t.progressAt = now
    if (t.phase === 'idle') t.phase = 'head'
    if (t.phase === 'head' && t.headAt === undefined) t.headAt = now
  }
  const limits = t.limits()
  switch (t.phase) {
    case 'head':
      if (t.headAt === undefined) return now - t.acceptedAt > limits.firstByteTimeoutMs ? 'first_byte' : undefined
      return now - t.headAt > limits.headersTimeoutMs ? 'headers' : undefined
    case 'body': {
      const req = t.req
      if (req === undefined || req.complete) {
        t.phase = 'busy'
        return undefined
      }
      // Bytes already buffered and not consumed: we are the slow side (backpressure), not the client.
      if (req.readableLength > 0) return undefined
      return now - t.progressAt > limits.bodyIdleTimeoutMs ? 'body_idle' : undefined
    }
    case 'drain':
      if (t.req?.complete === true) {
        t.phase = 'idle'
        t.req = undefined
        return undefined
      }
      return now - t.drainAt > limits.rejectedBodyTimeoutMs ? 'rejected_body' : undefined
    default:
      return undefined
  }
}

/**
 * A connection that left HTTP (a WebSocket handshake, issue 14 §3): its head is complete and what follows is no
 * request, so no phase here applies; upstream.timeoutMs bounds the handshake and websocketIdleSec the channel.
 */
export function untrackConnection(socket: Socket): void {
  tracked.delete(socket)
}

/** How often the timer looks: a quarter of the shortest bound, between 50 ms and 1 s. */
function tickMsOf(limits: ConnectionLimits): number {
  const shortest = Math.min(limits.firstByteTimeoutMs, limits.headersTimeoutMs, limits.bodyIdleTimeoutMs, limits.rejectedBodyTimeoutMs)
  return Math.max(50, Math.min(1000, Math.floor(shortest / 4)))
}

/**
 * Apply connection limits to a listener (before it listens). `limits` is read again at every look, so a reload's
 * new timeouts apply to open connections too; `listener` names it in the log lines.
 */
export function guardConnections(server: Server, limits: () => ConnectionLimits, log: Logger, listener: string): void {
  const sockets = new Set<Socket>()
  let dropped = 0
  const applyServerLimits = (l: ConnectionLimits): void => {
    server.maxConnections = l.maxConnections
    server.keepAliveTimeout = l.keepAliveTimeoutMs
    server.headersTimeout = l.headersTimeoutMs
  }
  applyServerLimits(limits())
  // TLS: the handshake is bounded by handshakeTimeout (set from firstByteTimeoutMs); HTTP starts on the TLS socket.
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    const now = performance.now()
    tracked.set(socket, { phase: 'head', acceptedAt: now, headAt: undefined, read: 0, progressAt: now, drainAt: 0, req: undefined, limits })
    setRejectedBodyLimit(socket, () => limits().rejectedBodyMaxBytes)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('request', onRequest)
  server.on('drop', () => void dropped++)

  let timer: NodeJS.Timeout | undefined
  const look = (): void => {
    const l = limits()
    applyServerLimits(l)
    const now = performance.now()
    for (const socket of sockets) {
      const t = tracked.get(socket)
      const reason = t === undefined ? undefined : overdue(t, socket, now)
      if (reason === undefined) continue
      sockets.delete(socket)
      socket.destroy()
      log.info({ listener, reason, remoteAddress: socket.remoteAddress }, 'connection closed: time bound exceeded')
    }
    if (dropped > 0) {
      log.warn({ listener, dropped, maxConnections: l.maxConnections }, 'connections refused: the listener is at its connection cap')
      dropped = 0
    }
    timer = setTimeout(look, tickMsOf(l))
    timer.unref()
  }
  server.on('listening', () => {
    timer ??= setTimeout(look, tickMsOf(limits()))
    timer.unref()
  })
  server.on('close', () => {
    clearTimeout(timer)
    timer = undefined
  })
}

/** The limits of one listener from the configuration in use, rebuilt only when a reload swapped it. */
export function listenerLimits(config: () => GatewayConfig, listener: 'inbound' | 'admin' | 'outbound' | 'forwardAuth'): () => ConnectionLimits {
  let seen: GatewayConfig | undefined
  let limits: ConnectionLimits | undefined
  return () => {
    const current = config()
    if (current !== seen || limits === undefined) {
      seen = current
      // A reload that drops listen.outbound leaves the listener running (restart needed): keep the inbound cap then.
      limits = { ...current.connections, maxConnections: (current.listen[listener] ?? current.listen.inbound).maxConnections }
    }
    return limits
  }
}
