// Token validation, steps 4 and 6 (docs/PROTOCOL.md §4.4, §4.6, §7.5, §7.8): parse `id@realm` principal names and
// `principal/host[:port]@realm` audiences, and normalise hosts the way config normalises service.publicHosts.
import { domainToASCII } from 'node:url'

/** Compiled once: the hot path never builds a regular expression. */
const WHITESPACE = /\s/
const NON_ASCII = /[^\x00-\x7f]/
const PORT = /^\d{1,5}$/

/** A full principal name split at the last '@'; both parts lowercase (compare case-insensitively, §4 "Case"). */
export interface Principal {
  id: string
  realm: string
}

/** An audience string split at the first '/' and the last '@'; lowercase, host normalised. */
export interface Audience {
  principal: string
  /** Normalised authority, or '' when it cannot be normalised (never equal to a configured host). */
  host: string
  realm: string
}

/** `id@realm`, split at the last '@', both parts non-empty, no whitespace; undefined for anything else. */
export function parsePrincipal(value: unknown): Principal | undefined {
  if (typeof value !== 'string' || WHITESPACE.test(value)) return undefined
  const at = value.lastIndexOf('@')
  if (at <= 0 || at === value.length - 1) return undefined
  return { id: value.slice(0, at).toLowerCase(), realm: value.slice(at + 1).toLowerCase() }
}

/**
 * `principal/host[:port]@realm`. Undefined when it is not a string, holds whitespace, has no '/host' part
 * (the CVE-2023-29357 shape `00000003-…@realm`), or has an empty part, a second '/' or an '@' in the host.
 */
export function parseAudience(value: unknown): Audience | undefined {
  if (typeof value !== 'string' || WHITESPACE.test(value)) return undefined
  const slash = value.indexOf('/')
  const at = value.lastIndexOf('@')
  if (slash <= 0 || at <= slash + 1 || at === value.length - 1) return undefined
  const host = value.slice(slash + 1, at)
  if (host.includes('/') || host.includes('@')) return undefined
  return {
    principal: value.slice(0, slash).toLowerCase(),
    host: normaliseHost(host),
    realm: value.slice(at + 1).toLowerCase(),
  }
}

/** Split `host[:port]` (IPv6 literals in brackets) into host name and port (undefined when absent). */
function splitAuthority(authority: string): [string, string | undefined] | undefined {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']')
    if (close < 0) return undefined
    const rest = authority.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) return undefined
    return [authority.slice(0, close + 1), rest === '' ? undefined : rest.slice(1)]
  }
  const colon = authority.lastIndexOf(':')
  return colon < 0 ? [authority, undefined] : [authority.slice(0, colon), authority.slice(colon + 1)]
}

/**
 * Normalise an authority for comparison (§7.5): lowercase, ':443' and ':80' removed (other ports are
 * significant), an IDN in punycode. Returns '' when it is not a valid authority.
 */
export function normaliseHost(authority: string): string {
  const parts = splitAuthority(authority.toLowerCase())
  if (parts === undefined) return ''
  let [host, port] = parts
  if (host === '' || (port !== undefined && !PORT.test(port))) return ''
  if (NON_ASCII.test(host)) host = domainToASCII(host)
  if (host === '') return ''
  return port === undefined || port === '443' || port === '80' ? host : `${host}:${port}`
}
