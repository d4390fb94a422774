// Proxy: X-Forwarded-For/-Proto/-Host. The gateway sets them; a client's copies survive only when the
// client is a trusted proxy (listed in `trustedProxies`), in which case ours are appended to theirs.
import { BlockList, isIP } from 'node:net'
import type { IncomingMessage } from 'node:http'

const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded'] as const

/** Build a BlockList from CIDRs or plain addresses (validated by config/load.ts). */
export function createTrustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList()
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/')
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(prefix), family)
  }
  return list
}

function isTrusted(list: BlockList, address: string | undefined): boolean {
  if (address === undefined) return false
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is how dual-stack sockets report IPv4 peers.
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address
  return list.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4')
}

function append(prior: string | string[] | undefined, value: string): string {
  if (prior === undefined || prior === '') return value
  return `${Array.isArray(prior) ? prior.join(', ') : prior}, ${value}`
}

/** Rewrite the X-Forwarded-* headers of an incoming request in place, before it is proxied. */
export function setForwardedHeaders(req: IncomingMessage, trusted: BlockList, anyTrusted: boolean): void {
  const headers = req.headers
  const remote = req.socket.remoteAddress
  const keep = anyTrusted && isTrusted(trusted, remote)
  const proto = 'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http'
  const host = headers.host ?? ''
  if (!keep) for (const name of FORWARDED) delete headers[name]
  headers['x-forwarded-for'] = append(headers['x-forwarded-for'], remote ?? '')
  headers['x-forwarded-proto'] = keep && headers['x-forwarded-proto'] !== undefined ? headers['x-forwarded-proto'] : proto
  headers['x-forwarded-host'] = keep && headers['x-forwarded-host'] !== undefined ? headers['x-forwarded-host'] : host
}
