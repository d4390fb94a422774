// Bench: a reference forwarder on undici (a devDependency), behind the gateway's own Forwarder interface
// (src/upstream/forward.ts), so the same gateway can be measured with another engine in the same run. Not used
// in production: the engine stays http-proxy until these figures say otherwise (issue 6).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { Pool } from 'undici'
import { GatewayError } from '../../src/errors/index.js'
import type { GatewayConfig } from '../../src/schema/types.js'
import type { ForwardEvents, Forwarder } from '../../src/upstream/forward.js'
import { withoutHopByHop } from '../../src/identity/hop-headers.js'

/** Headers undici refuses to send (it frames and manages the connection itself). */
const REFUSED = ['connection', 'keep-alive', 'upgrade', 'transfer-encoding', 'expect', 'te', 'proxy-connection'] as const

function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined
}

export function createUndiciForwarder(upstream: GatewayConfig['upstream'], events: ForwardEvents | undefined = {}): Forwarder {
  const origin = new URL(upstream.url)
  const basePath = origin.pathname === '/' ? '' : origin.pathname.replace(/\/$/, '')
  const pool = new Pool(origin.origin, {
    connections: upstream.maxSockets,
    pipelining: 1,
    headersTimeout: upstream.timeoutMs,
    bodyTimeout: upstream.timeoutMs,
  })
  let active = 0

  // Built untyped and returned as a Forwarder, so the reference engine keeps compiling while the interface grows.
  const forwarder = {
    forward(req: IncomingMessage, res: ServerResponse, onError: (err: GatewayError) => void, onResponse?: (statusCode: number, durationMs: number) => void): void {
      const headers = req.headers as Record<string, string | string[] | undefined>
      const body = hasBody(req) ? req : null
      for (const name of REFUSED) delete headers[name]
      const abort = new AbortController()
      res.once('close', () => {
        if (!res.writableFinished) abort.abort()
      })
      const t0 = performance.now()
      active++
      pool.stream(
        { path: basePath + (req.url ?? '/'), method: req.method as 'GET', headers: headers as IncomingHttpHeaders, body, signal: abort.signal },
        ({ statusCode, headers: responseHeaders }) => {
          const kept = withoutHopByHop(responseHeaders as IncomingHttpHeaders)
          const ms = performance.now() - t0
          onResponse?.(statusCode, ms)
          events?.onResponse?.(statusCode, ms)
          res.writeHead(statusCode, kept as Record<string, string | string[]>)
          return res
        },
        (err) => {
          active--
          if (err === null || err === undefined) return
          if (res.headersSent || res.destroyed) {
            res.destroy()
            return
          }
          const timeout = (err as { code?: string }).code?.includes('TIMEOUT') === true
          events?.onError?.(timeout ? 'timeout' : 'other')
          onError(new GatewayError(timeout ? 'GW_UPSTREAM_TIMEOUT' : 'GW_UPSTREAM_UNREACHABLE', { cause: err }))
        },
      )
    },
    retire(): void {
      void pool.close()
    },
    close(): void {
      void pool.destroy()
    },
    socketCounts(): { active: number; idle: number } {
      return { active, idle: 0 }
    },
  }
  return forwarder
}
