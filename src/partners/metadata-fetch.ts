// Who we trust: fetch one partner's metadata document over https (docs/PROTOCOL.md §1.1, §1.6 step 6) with a hard
// deadline, a byte cap and no redirects. node:http(s) directly, for CA control and byte caps. Feeds metadata-parse.ts.
import { lookup as dnsLookup } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import type { IncomingMessage } from 'node:http'
import type { TcpNetConnectOpts } from 'node:net'
import { checkMetadataUrl } from './metadata-url.js'

export type MetadataFetchReason =
  | 'url' | 'timeout' | 'too_large' | 'redirect' | 'status' | 'tls' | 'dns' | 'network' | 'not_json'

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

/** The resolver node:net calls; injectable so tests can make DNS fail. */
export type LookupFunction = NonNullable<TcpNetConnectOpts['lookup']>

export interface MetadataFetchOptions {
  /** Deadline for connect, headers and body together, in ms (config metadata.timeoutMs, default 5000). */
  timeoutMs: number
  /** Largest accepted body, in bytes (config metadata.maxBytes, default 1 MiB). */
  maxBytes: number
  /** Permit http:// for loopback hosts only. Default false. */
  allowHttp: boolean
  /** PEM CA bundle used instead of the system CAs. */
  caPem?: string
  /** Skip TLS verification (Exchange's -TrustAnySSLCertificate). Default false. */
  insecureSkipVerify: boolean
  lookup?: LookupFunction
}

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
  const target = checkMetadataUrl(url, opts.allowHttp)
  if (typeof target === 'string') throw new MetadataFetchError('url', `metadata URL refused: ${target}`)
  return parseJson(await fetchBody(target, opts))
}

function fetchBody(target: URL, opts: MetadataFetchOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let settled = false
    let dnsFailed = false
    let req: http.ClientRequest | undefined
    const settle = (err: MetadataFetchError | undefined, body?: Buffer): void => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      if (err === undefined) return resolve(body ?? Buffer.alloc(0))
      req?.destroy()
      reject(err)
    }
    const fail = (err: MetadataFetchError): void => settle(err)
    const deadline = setTimeout(() => fail(new MetadataFetchError('timeout', `no complete answer within ${opts.timeoutMs} ms`)), opts.timeoutMs)
    const lookup = tagFailures(opts.lookup ?? (dnsLookup as LookupFunction), () => { dnsFailed = true })
    try {
      req = (target.protocol === 'https:' ? https : http).request(requestOptions(target, opts, lookup))
    } catch (cause) {
      return fail(new MetadataFetchError('url', 'metadata URL cannot be requested', { cause }))
    }
    req.on('error', (err) => fail(classifySocketError(err, dnsFailed)))
    req.on('response', (res) => readBody(res, opts.maxBytes, (body) => settle(undefined, body), fail))
    req.end()
  })
}

function requestOptions(target: URL, opts: MetadataFetchOptions, lookup: LookupFunction): https.RequestOptions {
  const options: https.RequestOptions = {
    method: 'GET',
    hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
    path: target.pathname + target.search,
    // No credentials and no cookies, ever: the document is anonymous (docs/PROTOCOL.md §1.1).
    headers: { 'user-agent': 's2s-gateway', accept: 'application/json', 'accept-encoding': 'identity' },
    agent: false, // one short-lived connection; nothing pooled between partners
    lookup,
    rejectUnauthorized: !opts.insecureSkipVerify,
  }
  if (target.port !== '') options.port = Number(target.port)
  if (opts.caPem !== undefined) options.ca = opts.caPem
  return options
}

function readBody(res: IncomingMessage, maxBytes: number, done: (body: Buffer) => void, fail: (err: MetadataFetchError) => void): void {
  res.on('error', (cause) => fail(new MetadataFetchError('network', 'connection failed while reading the body', { cause })))
  const status = res.statusCode ?? 0
  if (status >= 300 && status < 400) return fail(new MetadataFetchError('redirect', `redirect (HTTP ${status}) not followed`))
  if (status < 200 || status >= 300) return fail(new MetadataFetchError('status', `HTTP ${status}`))
  const tooLarge = (): MetadataFetchError => new MetadataFetchError('too_large', `document larger than ${maxBytes} bytes`)
  if (Number(res.headers['content-length']) > maxBytes) return fail(tooLarge())
  const chunks: Buffer[] = []
  let total = 0
  res.on('data', (chunk: Buffer) => {
    total += chunk.length
    if (total > maxBytes) return fail(tooLarge())
    chunks.push(chunk)
  })
  res.on('end', () => done(Buffer.concat(chunks, total)))
  res.on('close', () => fail(new MetadataFetchError('network', 'connection closed before the body was complete')))
}

/** Wrap a resolver so that its failures are known to be DNS failures, whatever error code it uses. */
function tagFailures(lookup: LookupFunction, onFailure: () => void): LookupFunction {
  return (hostname, options, callback) =>
    lookup(hostname, options, (err, address, family) => {
      if (err) onFailure()
      callback(err, address, family)
    })
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO$)/

function classifySocketError(err: Error & { code?: string }, dnsFailed: boolean): MetadataFetchError {
  const code = typeof err.code === 'string' ? err.code : 'unknown'
  if (dnsFailed || code === 'ENOTFOUND' || code.startsWith('EAI_')) return new MetadataFetchError('dns', `name resolution failed (${code})`, { cause: err })
  if (TLS_CODE.test(code)) return new MetadataFetchError('tls', `TLS: ${code}`, { cause: err })
  return new MetadataFetchError('network', `connection failed (${code})`, { cause: err })
}

function parseJson(body: Buffer): unknown {
  try {
    // TextDecoder (ignoreBOM false) drops a leading UTF-8 BOM; fatal rejects invalid UTF-8.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    throw new MetadataFetchError('not_json', `document is not JSON (${body.length} bytes)`)
  }
}
