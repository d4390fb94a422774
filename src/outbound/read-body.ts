// Outbound: read the backend's request body up to a small cap, so a call the partner answers with 401 can be
// retried after realm discovery (issue 3 §1). A larger body is streamed on (head first, then the rest) and is
// never replayed.
import type { IncomingMessage } from 'node:http'
import type { OutboundBody } from './partner-headers.js'

function declaredLength(req: IncomingMessage): number | undefined {
  const text = req.headers['content-length']
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined
}

export function hasBody(req: IncomingMessage): boolean {
  const length = declaredLength(req)
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length > 0)
}

const NO_BYTES = Buffer.alloc(0)

/**
 * The body at once when there is none to wait for (no body, or one declared larger than the cap: streamed);
 * else resolves once the body ended within `capBytes` (outbound.replayMaxBytes: such a body can be retried), or
 * as soon as it grew past it (then paused, not consumed).
 */
export function readBody(req: IncomingMessage, capBytes: number): OutboundBody | Promise<OutboundBody> {
  const hadBody = hasBody(req) || req.headers['content-length'] !== undefined
  const contentLength = declaredLength(req)
  if (!hasBody(req)) {
    req.resume() // nothing to read; let 'end' fire
    return { kind: 'buffer', data: NO_BYTES, hadBody }
  }
  if (contentLength !== undefined && contentLength > capBytes) {
    return { kind: 'stream', head: NO_BYTES, rest: req, contentLength }
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk)
      total += chunk.length
      if (total <= capBytes) return
      req.pause()
      cleanup()
      resolve({ kind: 'stream', head: Buffer.concat(chunks, total), rest: req, contentLength })
    }
    const onEnd = (): void => {
      cleanup()
      resolve({ kind: 'buffer', data: Buffer.concat(chunks, total), hadBody })
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(err)
    }
    const onClose = (): void => onError(new Error('the caller closed the connection before its body was complete'))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}
