// Test helper: one raw TCP connection that stays open: write bytes when you like, read all that came back, and
// learn when the server closed it (connection-lifetime tests; raw-http.ts is for one request and its answer).
import net from 'node:net'
import { parseRawResponse, type RawResponse } from './raw-http.js'

export interface RawConn {
  socket: net.Socket
  write(text: string): void
  /** Everything received so far, as text. */
  received(): string
  /** The first response received so far (status 0 while none). */
  response(): RawResponse
  /** Resolves once the socket is closed (by the server, or by an error). */
  closed: Promise<void>
  isClosed(): boolean
  /** Write `text` every `everyMs` until the connection closes. */
  dribble(text: string, everyMs: number): void
}

export function openConn(baseUrl: string): Promise<RawConn> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let isClosed = false
    let timer: NodeJS.Timeout | undefined
    const socket = net.connect(Number(url.port), url.hostname)
    const closed = new Promise<void>((done) => socket.once('close', () => {
      isClosed = true
      clearInterval(timer)
      done()
    }))
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', () => {}) // a reset by the server is a close here
    socket.once('connect', () => resolve({
      socket,
      write: (text) => {
        if (!isClosed && socket.writable) socket.write(text)
      },
      received: () => Buffer.concat(chunks).toString('utf8'),
      response: () => parseRawResponse(Buffer.concat(chunks).toString('utf8')),
      closed,
      isClosed: () => isClosed,
      dribble(text, everyMs) {
        timer = setInterval(() => {
          if (!isClosed && socket.writable) socket.write(text)
        }, everyMs)
      },
    }))
    socket.once('error', reject)
  })
}
