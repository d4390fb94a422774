// Test helper: an echo backend on 127.0.0.1 that records what it received (method, url, headers, body) and
// answers with it as JSON. Behaviour per request can be changed (delay, hang, reset, custom handler).
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  body: string
}

export interface EchoUpstream {
  url: string
  seen: SeenRequest[]
  /** Replace the default echo answer. */
  handler: ((req: IncomingMessage, res: ServerResponse, body: string) => void) | undefined
  /** Sockets currently open from the gateway to this backend. */
  openSockets(): number
  close(): Promise<void>
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const sockets = new Set<Socket>()
  const upstream: EchoUpstream = {
    url: '',
    seen: [],
    handler: undefined,
    openSockets: () => sockets.size,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      upstream.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body })
      if (upstream.handler !== undefined) return upstream.handler(req, res, body)
      const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
      res.end(payload)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return upstream
}
