// Who we trust: fetch one partner's metadata document over https (docs/PROTOCOL.md §1.1, §1.6 step 6) with the
// capped client of net/ (a hard deadline, a byte cap, no redirects), and parse it as JSON. Feeds metadata-parse.ts.
import { CappedRequestError, checkFetchUrl, requestCapped, type CappedRequestFailure, type FetchSettings } from '../net/index.js'

export type MetadataFetchReason = CappedRequestFailure | 'not_json'

/**
 * A fetch failed. `reason` is short and fixed (safe for metric labels); `message` names the errno or HTTP status
 * ("connection failed (ECONNREFUSED)", "TLS: CERT_HAS_EXPIRED", "HTTP 404") and is what partner add, test-partner,
 * the log and /status show. Neither includes the body or the URL.
 */
export class MetadataFetchError extends Error {
  readonly reason: MetadataFetchReason
  constructor(reason: MetadataFetchReason, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MetadataFetchError'
    this.reason = reason
  }
}

/** Deadline, byte cap, http for loopback only, TLS: config metadata.timeoutMs and maxBytes, the partner's tls. */
export type MetadataFetchOptions = FetchSettings

/**
 * What asked for the document. `onDemand`: a refetch after an unknown key (the cooldown applies), so a fetcher
 * shared by several processes (src/workers/) can tell it from a background refresh. Absent: initial or refresh.
 */
export interface FetchPurpose {
  onDemand: true
}

export type FetchDocument = (url: string, opts: MetadataFetchOptions, purpose?: FetchPurpose) => Promise<unknown>

/** GET the document and JSON.parse it (UTF-8, BOM stripped). Rejects only with MetadataFetchError. */
export async function fetchMetadataDocument(url: string, opts: MetadataFetchOptions): Promise<unknown> {
  const target = checkFetchUrl(url, opts.allowHttp)
  if (typeof target === 'string') throw new MetadataFetchError('url', `metadata URL refused: ${target}`)
  const { body } = await requestCapped(target, { ...opts, method: 'GET', otherStatus: 'fail' }).catch(rethrowAsFetchError)
  return parseJson(body)
}

/** The client's failure under this module's name, with the same reason and message. */
function rethrowAsFetchError(err: unknown): never {
  if (!(err instanceof CappedRequestError)) throw err
  const message = err.reason === 'url' ? 'metadata URL cannot be requested' : err.message
  throw new MetadataFetchError(err.reason, message, err.cause === undefined ? undefined : { cause: err.cause })
}

function parseJson(body: Buffer): unknown {
  try {
    // TextDecoder (ignoreBOM false) drops a leading UTF-8 BOM; fatal rejects invalid UTF-8.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    throw new MetadataFetchError('not_json', `document is not JSON (${body.length} bytes)`)
  }
}
