// Test fixture for the WebSocket tests (websockets.test.ts, websockets-reload.test.ts): a real WebSocket echo backend
// (the `ws` package) on 127.0.0.1 that can hold handshakes, a gateway with one metadata partner in front of it, and
// a client that reports either the open channel or the HTTP answer that refused it. Each test file registers
// `afterEach(runCleanups)`.
import http, { type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer } from 'ws'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'

const cleanups: Array<() => Promise<void>> = []

export function onCleanup(...steps: Array<() => Promise<void>>): void {
  cleanups.push(...steps)
}

export async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c()
}

export interface WsBackend {
  url: string
  /** Headers of every upgrade request the backend received. */
  upgrades: IncomingHttpHeaders[]
  /** While true, a handshake that reaches the backend waits (unanswered) until release(). */
  hold: boolean
  /** Handshakes waiting for release(). */
  held: number
  /** Answer every held handshake with 101. */
  release(): void
  /** Upgraded connections the backend has open. */
  open(): number
}

/** Echoes every message; upgrade requests' headers are recorded. */
export async function startWsBackend(): Promise<WsBackend> {
  const server = http.createServer((_req, res) => res.writeHead(404).end())
  const waiting: Array<() => void> = []
  const backend: WsBackend = {
    url: '',
    upgrades: [],
    hold: false,
    get held() {
      return waiting.length
    },
    release: () => {
      for (const go of waiting.splice(0)) go()
    },
    open: () => wss.clients.size,
  }
  const wss = new WebSocketServer({
    server,
    verifyClient: (_info, done) => {
      if (backend.hold) waiting.push(() => done(true))
      else done(true)
    },
  })
  wss.on('connection', (socket, req) => {
    backend.upgrades.push(req.headers)
    socket.on('message', (data, binary) => socket.send(data, { binary }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  backend.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  cleanups.push(async () => {
    backend.release()
    for (const client of wss.clients) client.terminate()
    await new Promise<void>((resolve) => wss.close(() => resolve()))
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return backend
}

export interface World {
  backend: WsBackend
  exchange: TestPartner
  meta: MetadataServer
  gw: TestGateway
}

export async function world({ upstream = {}, partner = {}, config = {} }: { upstream?: RawConfig; partner?: RawConfig; config?: RawConfig } = {}): Promise<World> {
  const backend = await startWsBackend()
  const exchange = await makeTestPartner()
  const meta = await startMetadataServer(exchange)
  const gw = await startTestGateway(backend.url, {
    partners: [metadataPartner('exchange', meta.url, partner)],
    upstream: { url: backend.url, timeoutMs: 5000, ...upstream },
    ...config,
  })
  cleanups.push(() => meta.close(), () => gw.close())
  return { backend, exchange, meta, gw }
}

export type Opened = { ws: WebSocket; status: number; body?: string; headers?: IncomingHttpHeaders; socketClosed?: Promise<void> }

/** Open a WebSocket through the gateway: the socket once upgraded, or the HTTP answer that refused it. */
export function connect(gw: TestGateway, headers: Record<string, string>, path = '/api/notifications'): Promise<Opened> {
  const ws = new WebSocket(`${gw.url.replace(/^http/, 'ws')}${path}`, { headers })
  ws.on('error', () => undefined)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, status: 101 }))
    ws.once('unexpected-response', (_req, res) => {
      const socket = res.socket
      const socketClosed = socket.destroyed ? Promise.resolve() : new Promise<void>((done) => socket.once('close', () => done()))
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString('utf8')))
      res.on('end', () => resolve({ ws, status: res.statusCode ?? 0, body, headers: res.headers, socketClosed }))
    })
    ws.once('error', reject)
  })
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

/** The backend's echo of `text`; fails at once when the channel closes first (instead of waiting out the test). */
export function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error(`the channel closed before the echo of "${text}"`))
    if (ws.readyState !== WebSocket.OPEN) return onClose()
    ws.once('close', onClose)
    ws.once('message', (data) => {
      ws.off('close', onClose)
      resolve(data.toString())
    })
    ws.send(text)
  })
}

export function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve()
  return new Promise((resolve) => ws.once('close', () => resolve()))
}

/** Fails the test with `what` when `promise` has not settled within 10 s (a hang, not a timing assertion). */
export async function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen`)), 10_000)
  })
  try {
    return await Promise.race([promise, limit])
  } finally {
    clearTimeout(timer)
  }
}
