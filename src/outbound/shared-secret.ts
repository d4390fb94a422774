// Outbound: the optional shared secret of the outbound listener (listen.outbound.sharedSecret), sent by the
// backend in x-s2s-outbound-secret. Compared in constant time over SHA-256 digests, so neither content nor
// length leaks through timing. The header is removed before forwarding (with every x-s2s-* header).
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { GatewayError } from '../errors/index.js'

export const SECRET_HEADER = 'x-s2s-outbound-secret'

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/** True when `given` equals `expected`, in time independent of both. */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

/**
 * Throw unless the request carries `expected` (exactly one x-s2s-outbound-secret field). No-op when no secret
 * is required.
 * @throws GatewayError GW_OUTBOUND_SECRET (403)
 */
export function checkSharedSecret(req: IncomingMessage, expected: string | undefined): void {
  if (expected === undefined) return
  const given = req.headers[SECRET_HEADER]
  let fields = 0
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === SECRET_HEADER) fields++
  const ok = typeof given === 'string' && fields === 1 && secretMatches(given, expected)
  if (!ok) throw new GatewayError('GW_OUTBOUND_SECRET', { detail: { secret: given === undefined ? 'missing' : 'wrong' } })
}
