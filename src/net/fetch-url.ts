// Net: which URLs the capped client may request at all, decided before any socket is opened: partner metadata
// (docs/PROTOCOL.md §1.1) and an authorization server's issuance endpoint (issue 7).
import { isLoopbackHost } from './address.js'

/**
 * The parsed URL when it may be requested, else a short explanation. https always; http only with `allowHttp`
 * and a loopback host (issue 2 §5); never user:password in the URL (we send no credentials).
 */
export function checkFetchUrl(url: string, allowHttp: boolean): URL | string {
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
