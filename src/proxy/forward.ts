// Proxy: forward an authenticated request to the backend with http-proxy over a keep-alive agent. Bodies are
// streamed untouched. Two http-proxy 1.18 defects are handled here: client aborts on Node >= 15.5 leak the
// upstream socket (http-party/node-http-proxy#1559), and hop-by-hop headers pass through (#446).
import http from 'node:http'
import https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import httpProxy from 'http-proxy'
import { GatewayError } from '../errors.js'
import type { GatewayConfig } from '../config/types.js'
import { stripHopByHop } from './hop-headers.js'

export type UpstreamErrorKind = 'timeout' | 'refused' | 'reset' | 'other'

export interface ForwardEvents {
  /** Response headers arrived from the backend. */
  onResponse?(statusCode: number, durationMs: number): void
  onError?(kind: UpstreamErrorKind): void
}

export interface Forwarder {
  /**
   * Hand the request (headers already prepared) to the backend; `onError` answers when nothing was sent
   * yet (502/504).
   */
  forward(req: IncomingMessage, res: ServerResponse, onError: (err: GatewayError) => void): void
  /** Destroy pooled sockets. In-flight requests on them end. */
  close(): void
  /** Active and idle upstream sockets, for tests and status. */
  socketCounts(): { active: number; idle: number }
}

class UpstreamTimeout extends Error {
  readonly code = 'GW_UPSTREAM_TIMEOUT'
}

function classify(err: unknown): UpstreamErrorKind {
  if (err instanceof UpstreamTimeout) return 'timeout'
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') return 'refused'
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset'
  return 'other'
}

function countSockets(map: NodeJS.ReadOnlyDict<unknown[]>): number {
  let n = 0
  for (const list of Object.values(map)) n += list?.length ?? 0
  return n
}

/** The keep-alive agent settings toward the backend; exported so bench/ runs a bare proxy with the same ones. */
export function upstreamAgentOptions(upstream: GatewayConfig['upstream']): http.AgentOptions {
  return { keepAlive: true, maxSockets: upstream.maxSockets, maxFreeSockets: Math.min(64, upstream.maxSockets), scheduling: 'lifo' }
}

/** The agent the forwarder uses: http or https by the upstream URL's scheme. */
export function createUpstreamAgent(upstream: GatewayConfig['upstream']): http.Agent {
  const options = upstreamAgentOptions(upstream)
  return upstream.url.startsWith('https:') ? new https.Agent(options) : new http.Agent(options)
}

export function createForwarder(upstream: GatewayConfig['upstream'], events: ForwardEvents = {}): Forwarder {
  const agent = createUpstreamAgent(upstream)
  const proxy = httpProxy.createProxyServer({ target: upstream.url, agent, xfwd: false, secure: true, prependPath: true })
  const started = new WeakMap<IncomingMessage, number>()

  proxy.on('proxyReq', (proxyReq, req, res) => {
    // #1559: `aborted` no longer fires; a closed response that did not finish means the client went away.
    if (res.destroyed || req.socket.destroyed) {
      proxyReq.destroy()
      return
    }
    res.once('close', () => {
      if (!res.writableFinished) proxyReq.destroy()
    })
    proxyReq.setTimeout(upstream.timeoutMs, () => proxyReq.destroy(new UpstreamTimeout('upstream timed out')))
  })
  proxy.on('proxyRes', (proxyRes, req) => {
    stripHopByHop(proxyRes.headers) // #446, response side
    const t0 = started.get(req)
    if (t0 !== undefined) events.onResponse?.(proxyRes.statusCode ?? 0, performance.now() - t0)
  })
  // Emitted instead of the callback when the client's socket is already gone: nothing to answer.
  proxy.on('econnreset', () => events.onError?.('reset'))

  return {
    forward(req, res, onError) {
      // Request headers were prepared by upstream-headers.ts (hop-by-hop stripped, #446 request side).
      started.set(req, performance.now())
      proxy.web(req, res, {}, (err) => {
        const kind = classify(err)
        events.onError?.(kind)
        onError(new GatewayError(kind === 'timeout' ? 'GW_UPSTREAM_TIMEOUT' : 'GW_UPSTREAM_UNREACHABLE', { cause: err, detail: { upstreamError: kind } }))
      })
    },
    close() {
      agent.destroy()
      proxy.close()
    },
    socketCounts() {
      return { active: countSockets(agent.sockets), idle: countSockets(agent.freeSockets) }
    },
  }
}
