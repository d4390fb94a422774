// Admin: who may POST /reload. Loopback callers always; anyone else only by presenting admin.reloadToken as
// `Authorization: Bearer <token>`, compared in constant time. A wrong token is refused even from loopback.
import { createHash, timingSafeEqual } from 'node:crypto'
import { isLoopbackHost } from '../net/index.js'

export type ReloadAccess = 'allowed' | 'unauthorized' | 'forbidden'

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8: the loopback rule of net/, applied to a socket's address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && isLoopbackHost(address)
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
