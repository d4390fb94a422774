// Errors: whether a refusal closes its connection. A request refused before its body was read leaves that body on
// the connection; a small one is drained so a keep-alive client keeps its connection, one that may be larger than
// connections.rejectedBodyMaxBytes (or is chunked) gets `Connection: close`. The listener's connection guard
// (net/connection-guard.ts) registers each connection's limit here, so the writer needs nothing from net/.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { DEFAULTS } from '../schema/index.js'

const limitOf = new WeakMap<Socket, () => number>()

/** The connection's connections.rejectedBodyMaxBytes, read when a refusal is written (a reload may change it). */
export function setRejectedBodyLimit(socket: Socket, maxBytes: () => number): void {
  limitOf.set(socket, maxBytes)
}

/** True when the part of the body not read yet may be larger than `maxBytes`: chunked, or a larger Content-Length. */
export function unreadMayExceed(req: IncomingMessage, maxBytes: number): boolean {
  if (req.complete) return false
  const length = req.headers['content-length']
  if (length === undefined) return req.headers['transfer-encoding'] !== undefined
  return Number(length) > maxBytes
}

/**
 * For an answer written before the request's body was read (a refusal): when that body may be larger than the
 * limit, say `Connection: close` (Node then closes once the answer is written). Call before the head is written.
 * Without a guarded connection (unit tests building a bare server), the schema's default applies.
 */
export function closeIfBodyUnread(req: IncomingMessage | undefined, res: ServerResponse): void {
  if (req === undefined || req.complete || res.headersSent) return
  const maxBytes = limitOf.get(req.socket)?.() ?? DEFAULTS.connections.rejectedBodyMaxBytes
  if (unreadMayExceed(req, maxBytes)) res.shouldKeepAlive = false
}
