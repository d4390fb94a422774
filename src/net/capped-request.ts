// Net: the one capped HTTP client, for small documents we GET or POST ourselves: partner metadata
// (partners/metadata-fetch.ts) and token requests (authz/issuance.ts). node:http(s) directly, for CA control and
// byte caps: one deadline for connect, headers and body together, a byte cap, no redirects, no pooled connection.
import { lookup as dnsLookup } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import type { TcpNetConnectOpts } from 'node:net'
import { classifySocketError, errorCode } from './fault.js'
import { tlsClientOptions, type TlsClientSettings } from './tls-options.js'

export type CappedRequestFailure = 'url' | 'timeout' | 'too_large' | 'redirect' | 'status' | 'tls' | 'dns' | 'network'

/**
 * A capped request failed. `reason` is short and fixed (safe for metric labels); `message` names the errno or HTTP
 * status ("connection failed (ECONNREFUSED)", "TLS: CERT_HAS_EXPIRED", "HTTP 404"), never the body or the URL.
 */
export class CappedRequestError extends Error {
  readonly reason: CappedRequestFailure
  /** The HTTP status, for 'redirect' and 'status'. */
  readonly status: number | undefined
  constructor(reason: CappedRequestFailure, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'CappedRequestError'
    this.reason = reason
    this.status = opts.status
  }
}

/** The resolver node:net calls; injectable so tests can make DNS fail or point a name at loopback. */
export type LookupFunction = NonNullable<TcpNetConnectOpts['lookup']>

/**
 * What a caller configures for fetching one small document with the capped client: partner and authorization
 * server metadata (metadata.timeoutMs, metadata.maxBytes) and an authorization server's token answer.
 */
export interface FetchSettings extends TlsClientSettings {
  /** Deadline for connect, headers and body together, ms. */
  timeoutMs: number
  /** Largest accepted body, bytes. */
  maxBytes: number
  /** Permit http:// for loopback hosts only (tests); never for other hosts. */
  allowHttp: boolean
  /** Skip certificate verification (Exchange's -TrustAnySSLCertificate); logged as a warning where configured. */
  insecureSkipVerify: boolean
  /** The resolver; tests make DNS fail with it. Default dns.lookup. */
  lookup?: LookupFunction
}

export interface CappedRequestOptions extends TlsClientSettings {
  method: 'GET' | 'POST'
  /** Sent with its Content-Type and Content-Length; none for GET. */
  body?: { contentType: string; data: Buffer }
  /** Deadline for connect, headers and body together, ms (each caller's own setting). */
  timeoutMs: number
  /** Largest accepted body, bytes. A larger Content-Length is refused before reading. */
  maxBytes: number
  /** 'fail': any other status than 2xx is a 'status' failure, its body unread. 'read': its body is read and returned. */
  otherStatus: 'fail' | 'read'
  lookup?: LookupFunction
}

export interface CappedResponse {
  status: number
  body: Buffer
}

/** One request to a URL already allowed by checkFetchUrl. Rejects only with CappedRequestError; redirects fail. */
export function requestCapped(target: URL, opts: CappedRequestOptions): Promise<CappedResponse> {
  return new Promise((resolve, reject) => {
    let settled = false
    let dnsFailed = false
    let req: http.ClientRequest | undefined
    const settle = (err: CappedRequestError | undefined, result?: CappedResponse): void => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      if (err === undefined) return resolve(result ?? { status: 0, body: Buffer.alloc(0) })
      req?.destroy()
      reject(err)
    }
    const fail = (err: CappedRequestError): void => settle(err)
    const deadline = setTimeout(() => fail(new CappedRequestError('timeout', `no complete answer within ${opts.timeoutMs} ms`)), opts.timeoutMs)
    const lookup = tagFailures(opts.lookup ?? (dnsLookup as LookupFunction), () => { dnsFailed = true })
    try {
      req = (target.protocol === 'https:' ? https : http).request(requestOptions(target, opts, lookup))
    } catch (cause) {
      return fail(new CappedRequestError('url', 'URL cannot be requested', { cause }))
    }
    req.on('error', (err) => fail(socketFailure(err, dnsFailed)))
    req.on('response', (res) => readBody(res, opts, (result) => settle(undefined, result), fail))
    req.end(opts.body?.data)
  })
}

function requestOptions(target: URL, opts: CappedRequestOptions, lookup: LookupFunction): https.RequestOptions {
  // No credentials and no cookies, ever: what we fetch is anonymous or carries its own proof (docs/PROTOCOL.md §1.1).
  const headers: OutgoingHttpHeaders = { 'user-agent': 's2s-gateway', accept: 'application/json', 'accept-encoding': 'identity' }
  if (opts.body !== undefined) {
    headers['content-type'] = opts.body.contentType
    headers['content-length'] = opts.body.data.length
  }
  const options: https.RequestOptions = {
    method: opts.method,
    hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
    path: target.pathname + target.search,
    headers,
    agent: false, // one short-lived connection; nothing pooled between partners or servers
    lookup,
    ...tlsClientOptions(opts),
  }
  if (target.port !== '') options.port = Number(target.port)
  return options
}

function readBody(res: IncomingMessage, opts: CappedRequestOptions, done: (result: CappedResponse) => void, fail: (err: CappedRequestError) => void): void {
  res.on('error', (cause) => fail(new CappedRequestError('network', 'connection failed while reading the body', { cause })))
  const status = res.statusCode ?? 0
  if (status >= 300 && status < 400) return fail(new CappedRequestError('redirect', `redirect (HTTP ${status}) not followed`, { status }))
  if (opts.otherStatus === 'fail' && (status < 200 || status >= 300)) return fail(new CappedRequestError('status', `HTTP ${status}`, { status }))
  const { maxBytes } = opts
  const tooLarge = (): CappedRequestError => new CappedRequestError('too_large', `document larger than ${maxBytes} bytes`)
  if (Number(res.headers['content-length']) > maxBytes) return fail(tooLarge())
  const chunks: Buffer[] = []
  let total = 0
  res.on('data', (chunk: Buffer) => {
    total += chunk.length
    if (total > maxBytes) return fail(tooLarge())
    chunks.push(chunk)
  })
  res.on('end', () => done({ status, body: Buffer.concat(chunks, total) }))
  res.on('close', () => fail(new CappedRequestError('network', 'connection closed before the body was complete')))
}

/** Wrap a resolver so that its failures are known to be DNS failures, whatever error code it uses. */
function tagFailures(lookup: LookupFunction, onFailure: () => void): LookupFunction {
  return (hostname, options, callback) =>
    lookup(hostname, options, (err, address, family) => {
      if (err) onFailure()
      callback(err, address, family)
    })
}

function socketFailure(err: Error, dnsFailed: boolean): CappedRequestError {
  const code = errorCode(err) || 'unknown'
  const fault = dnsFailed ? 'dns' : classifySocketError(err)
  if (fault === 'dns') return new CappedRequestError('dns', `name resolution failed (${code})`, { cause: err })
  if (fault === 'tls') return new CappedRequestError('tls', `TLS: ${code}`, { cause: err })
  return new CappedRequestError('network', `connection failed (${code})`, { cause: err })
}
