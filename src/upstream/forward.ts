// Upstream: forward an authenticated request to the backend with http-proxy over a keep-alive agent. Bodies are
// streamed untouched. Three http-proxy 1.18 defects are handled here: client aborts on Node >= 15.5 leak the
// upstream socket (http-party/node-http-proxy#1559), hop-by-hop headers pass through (#446), and a chunked
// DELETE or OPTIONS is re-framed as bodiless while its body still follows (the `deleteLength` pass). Idle connections
// are closed before the backend closes them (upstream.idleTimeoutMs, net/idle-sockets.ts), and a request without
// a body and with a safe method that meets a reused connection's reset before any answer is sent once more, on a
// new connection: the backend closed that connection as we reused it, which is a race, not a failure. A request
// that waits for a free connection (all upstream.maxSockets busy) waits upstream.timeoutMs at most, then gets 504:
// Node's agent queues it without any timeout of its own.
import http from 'node:http'
import https from 'node:https'
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import httpProxy from 'http-proxy'
import { GatewayError } from '../errors/index.js'
import type { GatewayConfig } from '../schema/index.js'
import { withoutHopByHop } from '../identity/index.js'
import { boundQueueWait, classifySocketError, limitIdleSockets, metStaleConnection, RESENDABLE_METHODS } from '../net/index.js'

export type UpstreamErrorKind = 'timeout' | 'refused' | 'reset' | 'other'

export interface ForwardEvents {
  /** Response headers arrived from the backend. */
  onResponse?(statusCode: number, durationMs: number): void
  onError?(kind: UpstreamErrorKind): void
  /** A request was sent again on a new connection after a reused one was reset before any answer. */
  onRetry?(): void
}

export interface Forwarder {
  /**
   * Hand the request (headers already prepared) to the backend; `onError` answers when nothing was sent
   * yet (502/504). `onResponse` learns the backend's status and its time to headers (access log).
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    onError: (err: GatewayError) => void,
    onResponse?: (statusCode: number, durationMs: number) => void,
  ): void
  /**
   * Relay an admitted WebSocket handshake and, once the backend switches protocols, its traffic (issue 14 §3).
   * `onResponse` learns the backend's answer (101 when upgraded); `onError` answers when nothing was sent yet.
   */
  upgrade?(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    onError: (err: GatewayError) => void,
    onResponse: (statusCode: number, durationMs: number) => void,
  ): void
  /** Stop pooling: idle sockets close now, busy ones once their response ends (a reload that changed upstream). */
  retire?(): void
  /** Destroy pooled sockets. In-flight requests on them end. */
  close(): void
  /** Active and idle upstream sockets, for tests and status. */
  socketCounts(): { active: number; idle: number }
}

class UpstreamTimeout extends Error {
  readonly code = 'GW_UPSTREAM_TIMEOUT'
}

/** net/'s socket fault in the four kinds the upstream metric counts: a name that does not resolve is refused too. */
export function classifyUpstreamError(err: unknown): UpstreamErrorKind {
  if (err instanceof UpstreamTimeout) return 'timeout'
  const fault = classifySocketError(err)
  return fault === 'dns' ? 'refused' : fault === 'tls' ? 'other' : fault
}

function countSockets(map: NodeJS.ReadOnlyDict<unknown[]>): number {
  let n = 0
  for (const list of Object.values(map)) n += list?.length ?? 0
  return n
}

/** The keep-alive agent settings toward the backend; exported so bench/ runs a bare proxy with the same ones. */
export function upstreamAgentOptions(upstream: GatewayConfig['upstream']): http.AgentOptions {
  return { keepAlive: true, maxSockets: upstream.maxSockets, maxFreeSockets: Math.min(upstream.maxIdleSockets, upstream.maxSockets), scheduling: 'lifo' }
}

/** The agent the forwarder uses: http or https by the upstream URL's scheme. */
export function createUpstreamAgent(upstream: GatewayConfig['upstream']): http.Agent {
  const options = upstreamAgentOptions(upstream)
  return upstream.url.startsWith('https:') ? new https.Agent(options) : new http.Agent(options)
}

/**
 * When the request was handed to the backend, and who wants the response timing. Kept on the request itself, not
 * in a WeakMap: V8's scavenger treats a WeakMap's entries as strong, so every proxied request (and the response,
 * headers and buffers it reaches) survived young-generation GCs until the next full GC, which made each scavenge
 * copy ~2 MB and cost ~5 ms under load (issue 6, measured with --trace-gc-nvp).
 */
const kStarted = Symbol('s2s-gateway.forwardStarted')

/** One forwarded request: its timing and callers, the backend request in flight, and whether it was sent again. */
interface Attempt {
  /** The client's response; none for a WebSocket handshake (its socket is answered by the caller's onError). */
  res: ServerResponse | undefined
  t0: number
  onResponse: ((status: number, ms: number) => void) | undefined
  onError: (err: GatewayError) => void
  proxyReq: ClientRequest | undefined
  answered: boolean
  resent: boolean
  /** Answered 504 while it waited for a free connection: what the backend request does later is not reported. */
  abandoned: boolean
}
type TimedRequest = IncomingMessage & { [kStarted]?: Attempt }

/** The backend closed a reused connection as the request went out, before any answer (net/stale-connection.ts). */
function mayResend(err: Error, req: IncomingMessage, res: ServerResponse, attempt: Attempt): boolean {
  if (attempt.resent || attempt.answered || !metStaleConnection(err, attempt.proxyReq)) return false
  if (res.headersSent || req.socket.destroyed || !RESENDABLE_METHODS.has(req.method ?? '')) return false
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')
}

/** Whether the request was sent to the backend a second time (its access line says `retried`). */
export function wasResent(req: IncomingMessage): boolean {
  return (req as TimedRequest)[kStarted]?.resent === true
}

function upstreamError(err: Error, kind: UpstreamErrorKind, reason?: 'no_free_connection'): GatewayError {
  const detail = reason === undefined ? { upstreamError: kind } : { upstreamError: kind, reason }
  return new GatewayError(kind === 'timeout' ? 'GW_UPSTREAM_TIMEOUT' : 'GW_UPSTREAM_UNREACHABLE', { cause: err, detail })
}

export function createForwarder(upstream: GatewayConfig['upstream'], events: ForwardEvents = {}): Forwarder {
  const agent = createUpstreamAgent(upstream)
  const idle = limitIdleSockets(agent, upstream.idleTimeoutMs)
  const proxy = httpProxy.createProxyServer({ target: upstream.url, agent, xfwd: false, secure: true, prependPath: true })
  // http-proxy's `deleteLength` pass gives a DELETE or OPTIONS without Content-Length a `Content-Length: 0` and drops
  // its Transfer-Encoding, then streams the body anyway: the backend would read a chunked body as a request of its
  // own (smuggling, identity headers included). Without it, such a request is forwarded framed as it came.
  const engine = proxy as unknown as { webPasses: Array<(...args: never[]) => unknown> } // at run time, not in its typings
  engine.webPasses = engine.webPasses.filter((pass) => pass.name !== 'deleteLength')

  // The three-argument form http-proxy accepts at run time (its typings only know the four-argument one).
  const webWithoutOptions = proxy.web as unknown as (req: IncomingMessage, res: ServerResponse, callback: (err: Error, req: IncomingMessage, res: ServerResponse) => void) => void
  proxy.on('proxyReq', (proxyReq, req, res) => {
    // #1559: `aborted` no longer fires; a closed response that did not finish means the client went away.
    if (res.destroyed || req.socket.destroyed) {
      proxyReq.destroy()
      return
    }
    const attempt = (req as TimedRequest)[kStarted]
    if (attempt !== undefined) attempt.proxyReq = proxyReq
    // 'close' is emitted once: `on` spares the once-wrapper and its removal on every request.
    res.on('close', () => {
      if (!res.writableFinished) proxyReq.destroy()
    })
    proxyReq.setTimeout(upstream.timeoutMs, () => proxyReq.destroy(new UpstreamTimeout('upstream timed out')))
  })
  proxy.on('proxyRes', (proxyRes, req, res) => {
    idle.noteHint(proxyRes.socket, proxyRes.headers['keep-alive'])
    proxyRes.headers = withoutHopByHop(proxyRes.headers) // #446, response side (read by http-proxy after this event)
    // The client's Connection header was stripped before forwarding, so http-proxy would fill in keep-alive:
    // say what Node decided from the client's request instead (RFC 9112 §9.6: `close` means close).
    proxyRes.headers.connection = res.shouldKeepAlive ? 'keep-alive' : 'close'
    // A backend that breaks off mid-body: http-proxy pipes its response into ours, and a pipe does not end its
    // destination when the source fails, so the client would wait forever. Cut the client off as well.
    proxyRes.on('close', () => {
      if (proxyRes.complete) return
      events.onError?.('reset')
      res.destroy()
    })
    const start = (req as TimedRequest)[kStarted]
    if (start === undefined) return
    start.answered = true
    const status = proxyRes.statusCode ?? 0
    const ms = performance.now() - start.t0
    start.onResponse?.(status, ms)
    events.onResponse?.(status, ms)
  })
  proxy.on('proxyReqWs', (proxyReq, req, socket) => {
    socket.once('close', () => proxyReq.destroy())
    proxyReq.setTimeout(upstream.timeoutMs, () => proxyReq.destroy(new UpstreamTimeout('upstream timed out')))
    const start = (req as TimedRequest)[kStarted]
    const report = (status: number): void => {
      const ms = performance.now() - (start?.t0 ?? 0)
      start?.onResponse?.(status, ms)
      events.onResponse?.(status, ms)
    }
    proxyReq.once('response', (proxyRes) => report(proxyRes.statusCode ?? 0))
    proxyReq.once('upgrade', (_proxyRes, proxySocket) => {
      proxySocket.setTimeout(0) // upstream.timeoutMs bounds the handshake; an open channel idles by websocketIdleSec
      // http-proxy ends the backend's side only when the client's ends or errs: a channel the gateway closes (token
      // expiry, idle time, a reload, shutdown) is destroyed, which neither ends nor errs, and proxyReq is already
      // done. Without this the backend would keep a connection, and the partner's session, that nobody holds.
      socket.once('close', () => proxySocket.destroy())
      report(101)
    })
  })
  // Emitted instead of the callback when the client's socket is already gone: nothing to answer.
  proxy.on('econnreset', () => events.onError?.('reset'))

  /** `reason` (logs only) tells a request that never got a connection from one the backend was slow to answer. */
  function failed(err: Error, attempt: Attempt, reason?: 'no_free_connection'): void {
    const kind = classifyUpstreamError(err)
    events.onError?.(kind)
    attempt.onError(upstreamError(err, kind, reason))
  }

  /** http-proxy's callback for the first attempt (it passes the request and the response along). */
  function firstAttemptFailed(err: Error, req: IncomingMessage, res: ServerResponse): void {
    const attempt = (req as TimedRequest)[kStarted]
    if (attempt === undefined || attempt.resent || attempt.abandoned) return // already answered
    if (!mayResend(err, req, res, attempt)) return failed(err, attempt)
    attempt.resent = true
    attempt.proxyReq = undefined
    events.onRetry?.()
    // On a connection of its own (`Connection: close`), not another pooled one that may be closing as well.
    proxy.web(req, res, { agent: false }, resendFailed)
  }

  function resendFailed(err: Error, req: IncomingMessage): void {
    const attempt = (req as TimedRequest)[kStarted]
    if (attempt !== undefined) failed(err, attempt)
  }

  /**
   * Queued for a free connection for upstream.timeoutMs: 504. The destroyed request's own error, reported through
   * http-proxy's callback once it is handed a socket, is then ignored.
   */
  function abandonQueued(queued: ClientRequest, attempt: Attempt): void {
    attempt.abandoned = true
    const err = new UpstreamTimeout('no backend connection free within upstream.timeoutMs')
    queued.destroy(err)
    if (attempt.res?.destroyed === false) failed(err, attempt, 'no_free_connection')
  }

  return {
    forward(req, res, onError, onResponse) {
      // Request headers were prepared by upstream-headers.ts (hop-by-hop stripped, #446 request side).
      const timed: TimedRequest = req
      const attempt: Attempt = { res, t0: performance.now(), onResponse, onError, proxyReq: undefined, answered: false, resent: false, abandoned: false }
      timed[kStarted] = attempt
      // No per-request options: http-proxy then uses its own (target parsed once, on the first request) instead of
      // copying them and parsing the target URL again for every request (issue 11: 1.38 µs against 0.01 µs).
      webWithoutOptions.call(proxy, req, res, firstAttemptFailed)
      boundQueueWait(agent, upstream.timeoutMs, abandonQueued, attempt)
    },
    upgrade(req, socket, head, onError, onResponse) {
      const timed: TimedRequest = req
      const attempt: Attempt = { res: undefined, t0: performance.now(), onResponse, onError, proxyReq: undefined, answered: false, resent: false, abandoned: false }
      timed[kStarted] = attempt
      // A fresh connection per upgrade: an upgraded socket never returns to the keep-alive pool.
      proxy.ws(req, socket, head, { agent: false }, (err) => failed(err, attempt))
    },
    close() {
      idle.stop()
      agent.destroy()
      proxy.close()
    },
    retire() {
      idle.stop()
      // A released socket is destroyed instead of pooled; the ones idle now are closed at once.
      agent.keepSocketAlive = () => false
      for (const list of Object.values(agent.freeSockets)) for (const socket of list ?? []) socket.destroy()
    },
    socketCounts() {
      return { active: countSockets(agent.sockets), idle: countSockets(agent.freeSockets) }
    },
  }
}
