// Config: the host, address and name rules the checks share (the loopback rule is net/'s isLoopbackHost). normalizeAuthority is how publicHosts are stored,
// so the aud host check (docs/PROTOCOL.md §4 step 6, §7.5) compares against lowercase punycode without :443/:80.
import { isIP, isIPv6 } from 'node:net'
import { domainToASCII } from 'node:url'

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string }

const HOSTNAME = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/
const DEFAULT_PORTS = new Set(['80', '443'])

/**
 * `host[:port]` as partners write it in aud: lowercase, IDN to punycode, IPv6 in brackets, and :443/:80
 * removed (.NET's Uri.Authority drops them, node keeps them: normalise both sides). Other ports are kept.
 */
export function normalizeAuthority(input: string): Checked<string> {
  if (input.includes('://')) return { ok: false, message: 'must be host[:port], without a scheme' }
  if (/[\s/?#@\\\x00-\x1f\x7f]/.test(input)) return { ok: false, message: 'must be host[:port] only' }
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(input)
  const [host, port] = v6 !== null ? [v6[1] ?? '', v6[2]] : splitHostPort(input)
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535)) {
    return { ok: false, message: 'has an invalid port' }
  }
  let name: string
  if (v6 !== null) {
    if (!isIPv6(host)) return { ok: false, message: 'has an invalid IPv6 address' }
    name = `[${host.toLowerCase()}]`
  } else if (host.includes(':')) {
    return { ok: false, message: 'IPv6 addresses need brackets: [::1]:8443' }
  } else {
    name = domainToASCII(host)
    if (name === '' || !HOSTNAME.test(name)) return { ok: false, message: 'is not a valid host name' }
  }
  const kept = port === undefined || DEFAULT_PORTS.has(String(Number(port))) ? '' : `:${Number(port)}`
  return { ok: true, value: name + kept }
}

function splitHostPort(input: string): [string, string | undefined] {
  const colon = input.indexOf(':')
  if (colon === -1 || input.indexOf(':', colon + 1) !== -1) return [input, undefined]
  return [input.slice(0, colon), input.slice(colon + 1)]
}

/** A plain address or an address/prefix CIDR (IPv4 or IPv6), as trustedProxies lists them. */
export function checkCidr(text: string): Checked<string> {
  const [address = '', prefix, extra] = text.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) return { ok: false, message: 'must be an IP address or CIDR (10.0.0.0/8, fd00::/8)' }
  if (prefix !== undefined) {
    const bits = Number(prefix)
    if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) {
      return { ok: false, message: `has an invalid prefix length (0-${family === 4 ? 32 : 128})` }
    }
  }
  return { ok: true, value: text.toLowerCase() }
}

const LABEL = /^[a-z0-9][a-z0-9._-]{0,62}$/

/** Partner and authorization server names: they go into logs, headers and metric labels. */
/** Values the metrics give a meaning of their own in the partner and owner labels (admin/metric-*.ts). */
const RESERVED_LABELS: ReadonlySet<string> = new Set(['unknown', 'self', 'inbound-tls'])

export function labelProblem(name: string): string | undefined {
  if (!LABEL.test(name)) return 'must be 1-63 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit'
  if (RESERVED_LABELS.has(name)) return `"${name}" is reserved: metrics use it for ${name === 'unknown' ? 'unidentified callers' : name === 'self' ? 'our own certificates' : "the inbound listener's TLS certificate"}`
  return undefined
}

/**
 * Realms and principal ids end up in aud, iss and the quoted challenge parameters, so they may not hold
 * whitespace, control characters, '@', '/', ',', '"' or '\'. Returns the reason, or undefined when fine.
 */
export function principalPartProblem(value: string, what: string): string | undefined {
  if (/[\s\x00-\x1f\x7f]/.test(value)) return `${what} must not contain whitespace`
  const bad = /[@/,"\\]/.exec(value)
  return bad === null ? undefined : `${what} must not contain '${bad[0]}'`
}
