// Upstream: WebSocket upgrades (issue 14 §3). An upgrade request is not a second pipeline: it is handed to fastify's
// routing on a ServerResponse bound to its socket, so the path guard, authentication, permissions, limits and the
// access line treat it exactly like any request, and a refusal is an ordinary HTTP answer followed by a close.
// Once admitted, http-proxy relays the upgrade to the backend; the tracker below closes an upgraded connection when
// its token expires, when it idles, when a reload's configuration would refuse it, and on shutdown.
import { ServerResponse, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
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

/**
 * A channel's verdict under a configuration: still admitted, refused (closed), or not decidable yet (the keys it
 * needs are loading or unavailable): judged again after `retryAfterSec`, and kept open meanwhile.
 */
export type ChannelVerdict = 'keep' | 'close' | { retryAfterSec: number }

/** Judges one channel by a runtime as a new handshake with the same token would be judged; never throws. */
export type ChannelJudge<R> = (runtime: R) => ChannelVerdict | Promise<ChannelVerdict>

/** One relayed WebSocket, as the tracker sees it. */
interface Tracked<R> {
  socket: Duplex
  judge: ChannelJudge<R>
  /** The runtime it was last judged (or is being judged) by: a verdict that arrives for an older one is moot. */
  judgedBy: R
  expiry: NodeJS.Timeout | undefined
  retry: NodeJS.Timeout | undefined
}

export interface UpgradeTracker<R> {
  /**
   * Start watching an upgraded connection: token expiry (`expiresAt`, epoch seconds), idle time, reloads. `pinned`
   * is the runtime its handshake was judged by: if a reload swapped it since, it is judged by the new one now.
   */
  opened(socket: Duplex, expiresAt: number, idleSec: number, pinned: R, judge: ChannelJudge<R>): void
  /** After a reload: judge every open connection by `runtime` and close those it refuses. */
  revalidate(runtime: R): void
  /** Shutdown: close every upgraded connection. */
  closeAll(): void
  count(): number
}

const MAX_TIMER_MS = 2_147_483_647
/** Channels judged per turn of the event loop: a reload with thousands open must not stall the requests in flight. */
const JUDGED_PER_TURN = 64

/** `current` is the runtime in use (the holder's), read when a connection opens. */
export function createUpgradeTracker<R>(current: () => R, now: () => number = Date.now): UpgradeTracker<R> {
  const open = new Set<Tracked<R>>()

  function judgeBy(entry: Tracked<R>, runtime: R): void {
    entry.judgedBy = runtime
    clearTimeout(entry.retry)
    entry.retry = undefined
    let verdict: ChannelVerdict | Promise<ChannelVerdict>
    try {
      verdict = entry.judge(runtime)
    } catch {
      verdict = 'close' // a fault in judging must not keep a channel the configuration may refuse
    }
    if (verdict instanceof Promise) verdict.then((v) => settle(entry, runtime, v), () => settle(entry, runtime, 'close'))
    else settle(entry, runtime, verdict)
  }

  function settle(entry: Tracked<R>, runtime: R, verdict: ChannelVerdict): void {
    if (entry.judgedBy !== runtime || !open.has(entry)) return // closed meanwhile, or a newer reload judges it
    if (verdict === 'close') entry.socket.destroy()
    else if (verdict !== 'keep') {
      entry.retry = setTimeout(() => judgeBy(entry, runtime), Math.min(Math.max(1, verdict.retryAfterSec) * 1000, MAX_TIMER_MS))
      entry.retry.unref()
    }
  }

  function sweep(entries: Array<Tracked<R>>, from: number, runtime: R): void {
    if (current() !== runtime) return // a newer reload sweeps them all again
    const end = Math.min(entries.length, from + JUDGED_PER_TURN)
    for (let i = from; i < end; i++) {
      const entry = entries[i] as Tracked<R>
      if (open.has(entry) && entry.judgedBy !== runtime) judgeBy(entry, runtime)
    }
    if (end < entries.length) setImmediate(() => sweep(entries, end, runtime))
  }

  return {
    opened(socket, expiresAt, idleSec, pinned, judge) {
      const entry: Tracked<R> = { socket, judge, judgedBy: pinned, expiry: undefined, retry: undefined }
      const left = expiresAt * 1000 - now()
      entry.expiry = setTimeout(() => socket.destroy(), Math.max(0, Math.min(left, MAX_TIMER_MS)))
      entry.expiry.unref()
      // Idle in both directions: every byte relayed either way is read from or written to this socket.
      ;(socket as Socket).setTimeout?.(idleSec * 1000, () => socket.destroy())
      open.add(entry)
      socket.once('close', () => {
        clearTimeout(entry.expiry)
        clearTimeout(entry.retry)
        open.delete(entry)
      })
      // A reload between its handshake's decision and the backend's 101 swept the channels open then, not this one:
      // judge it now, once the relay has finished switching protocols (http-proxy's 'upgrade' listener runs after
      // the one that called us), so a refused one is closed like any open channel.
      if (current() !== pinned) {
        queueMicrotask(() => {
          const latest = current()
          if (open.has(entry) && entry.judgedBy !== latest) judgeBy(entry, latest)
        })
      }
    },
    revalidate(runtime) {
      sweep([...open], 0, runtime)
    },
    closeAll() {
      for (const entry of open) entry.socket.destroy()
    },
    count: () => open.size,
  }
}
