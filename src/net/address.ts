// Net: address rules. Which hosts are loopback (allowHttp, safe binds, POST /reload without a token), and whether
// a socket's peer is in a configured address list (trustedProxies, forwardAuth.trustedProxies).
import { BlockList, isIP } from 'node:net'

const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host)

/** Build a list from plain addresses or address/prefix CIDRs (validated by config/hosts.ts checkCidr). */
export function createAddressList(entries: readonly string[]): BlockList {
  const list = new BlockList()
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/')
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(prefix), family)
  }
  return list
}

/**
 * Whether an IP literal (a socket's remote address; brackets allowed) is in the list; false for anything else.
 * BlockList matches IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1: how dual-stack sockets report IPv4 peers)
 * against IPv4 entries, in either spelling, so no address is rewritten here.
 */
export function isListedAddress(list: BlockList, address: string | undefined): boolean {
  if (address === undefined) return false
  const bare = unbracket(address)
  const family = isIP(bare)
  return family !== 0 && list.check(bare, family === 4 ? 'ipv4' : 'ipv6')
}

const LOOPBACK = createAddressList(['127.0.0.0/8', '::1', '::ffff:127.0.0.0/104'])

/**
 * 127.0.0.0/8, ::1 (any spelling), IPv4-mapped 127.0.0.0/8, each bracketed or not, and the name localhost (any
 * case, trailing dot allowed). Not names under .localhost: whether they resolve to loopback depends on the host.
 * The only loopback rule: config checks, the capped client's URL rule, binds and POST /reload all call it.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = unbracket(host).toLowerCase()
  return bare === 'localhost' || bare === 'localhost.' || isListedAddress(LOOPBACK, bare)
}
