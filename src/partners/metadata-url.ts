// Who we trust: decide whether a metadata URL may be fetched at all (https, or http to a loopback host when
// allowed). Used by metadata-fetch.ts before any socket is opened.
import { isLoopbackHost } from '../config/index.js'

// One loopback rule for the whole gateway (issue 15): the config check that accepts an allowHttp URL and the
// fetch that follows it must agree, IPv4-mapped IPv6 loopback included.
export { isLoopbackHost }

/**
 * The parsed URL when it may be fetched, else a short explanation. https always; http only with `allowHttp`
 * and a loopback host (issue 2 §5); never user:password in the URL (we send no credentials).
 */
export function checkMetadataUrl(url: string, allowHttp: boolean): URL | string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not a valid URL'
  }
  if (parsed.username !== '' || parsed.password !== '') return 'credentials in the URL are not allowed'
  if (parsed.protocol === 'https:') return parsed
  if (parsed.protocol !== 'http:') return `scheme ${parsed.protocol} is not allowed`
  if (!allowHttp) return 'http is not allowed (set allowHttp, loopback hosts only)'
  if (!isLoopbackHost(parsed.hostname)) return 'http is allowed only for a loopback host'
  return parsed
}
