// Admin: who may POST /reload. Loopback callers always; anyone else only by presenting admin.reloadToken as
// `Authorization: Bearer <token>`, compared in constant time. A wrong token is refused even from loopback.
import { createHash, timingSafeEqual } from 'node:crypto'

export type ReloadAccess = 'allowed' | 'unauthorized' | 'forbidden'

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)
}

/** Hash both sides first: timingSafeEqual needs equal lengths, and the length must not leak either. */
function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

function bearerOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '')
  return match?.[1]
}

export function checkReloadAccess(remoteAddress: string | undefined, authorization: string | undefined, reloadToken: string | undefined): ReloadAccess {
  if (authorization !== undefined && reloadToken !== undefined) {
    const presented = bearerOf(authorization)
    return presented !== undefined && sameSecret(presented, reloadToken) ? 'allowed' : 'unauthorized'
  }
  if (isLoopbackAddress(remoteAddress)) return 'allowed'
  return reloadToken === undefined ? 'forbidden' : 'unauthorized'
}
