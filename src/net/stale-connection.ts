// Net: the keep-alive race. A server may close an idle connection just as a request goes out on it; the request
// then meets a reset (or a broken pipe) before any answer, and the server never saw it. Such a request may be sent
// once more, on a connection of its own, when sending it twice cannot matter: a safe method, no body. The forwarder
// (backend) and the outbound listener (partners) both do so; nginx gives a cached connection's error a free try too.
import type { ClientRequest } from 'node:http'
import { errorCode } from './fault.js'

/** Methods RFC 9110 §9.2.1 calls safe; sent again only without a body (nothing to replay but the head). */
export const RESENDABLE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

/** The request went out on a reused connection, and that connection was reset or its pipe broken. */
export function metStaleConnection(err: unknown, request: ClientRequest | undefined): boolean {
  if (request?.reusedSocket !== true) return false
  const code = errorCode(err)
  return code === 'ECONNRESET' || code === 'EPIPE'
}
