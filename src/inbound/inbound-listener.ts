// Inbound: the inbound listener: a plain node:http (or https) server around the one handler (inbound-handler.ts),
// with the HTTP-level guards below it and WebSocket handshakes routed through the same handler.
import http, { type Server } from 'node:http'
import https from 'node:https'
import type { Logger as PinoLogger } from 'pino'
import type { RuntimeHolder } from './runtime-view.js'
import type { RequestObserver } from './access-log.js'
import { installHttpGuards } from '../net/index.js'
import { createInboundHandler, type InboundShared } from './inbound-handler.js'
import { installUpgradeRouting } from '../upstream/index.js'

export interface InboundListener {
  readonly server: Server
  listen(at: { host: string; port: number }): Promise<void>
  /** Stop accepting; resolves when in-flight requests are done. Requests still arriving get 503 and a close. */
  close(): Promise<void>
}

export interface InboundTls {
  cert: Buffer
  key: Buffer
  handshakeTimeout?: number
}

export function createInboundListener(holder: RuntimeHolder, log: PinoLogger, shared: InboundShared, tls: InboundTls | undefined, observer: RequestObserver = {}): InboundListener {
  let closing = false
  const handle = createInboundHandler(holder, log, shared, observer, () => closing)
  const server = (tls === undefined ? http.createServer(handle) : https.createServer(tls, handle)) as Server
  // Request bodies are bounded by connections.bodyIdleTimeoutMs (connection-guard.ts), not by a total time that
  // would cut a slow but steady upload.
  server.requestTimeout = 0
  installHttpGuards(server, log)
  // WebSocket handshakes take the same route as every request (issue 14 §3).
  installUpgradeRouting(server, handle)
  return {
    server,
    listen: (at) =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(at.port, at.host, () => {
          server.off('error', reject)
          resolve()
        })
      }),
    close() {
      closing = true
      if (!server.listening) return Promise.resolve()
      return new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
    },
  }
}
