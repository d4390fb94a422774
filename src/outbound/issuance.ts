// Authorization servers, outbound: one client-credentials request to a server's issuance endpoint (issue 7):
// POST application/x-www-form-urlencoded with the capped client of net/ (no redirects, a deadline and a byte cap,
// the server's TLS settings). Answers the access token and its lifetime; every failure is an IssuanceError with a
// short fixed reason.
import { CappedRequestError, checkFetchUrl, requestCapped, type CappedRequestFailure, type CappedResponse, type FetchSettings } from '../net/index.js'

export type IssuanceFailure = CappedRequestFailure | 'not_json' | 'no_token' | 'no_expiry'

/** A token request failed. `reason` is fixed (logs, error bodies); `oauthError` is the server's `error` code, sanitised. */
export class IssuanceError extends Error {
  readonly reason: IssuanceFailure
  readonly status: number | undefined
  readonly oauthError: string | undefined
  constructor(reason: IssuanceFailure, message: string, opts: { status?: number; oauthError?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'IssuanceError'
    this.reason = reason
    this.status = opts.status
    this.oauthError = opts.oauthError
  }
}

/** How the token answer is fetched: the server's TLS settings and the metadata section's deadline and byte cap. */
export type IssuanceOptions = FetchSettings

export interface IssuedAccessToken {
  accessToken: string
  /** Seconds from the answer until the token expires. */
  expiresInSec: number
}

/** Real tokens are a few KiB; this bounds what we forward in an Authorization header. */
const MAX_TOKEN_CHARS = 16_384
const OAUTH_ERROR = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/
const DECIMAL = /^\d{1,10}$/

export type RequestAccessToken = (endpoint: string, form: URLSearchParams, opts: IssuanceOptions) => Promise<IssuedAccessToken>

/** POST the form and read the token answer (RFC 6749 §5.1). `nowSec` is only needed for expires_on. */
export async function requestAccessToken(endpoint: string, form: URLSearchParams, opts: IssuanceOptions, nowSec: number = Math.floor(Date.now() / 1000)): Promise<IssuedAccessToken> {
  const target = checkFetchUrl(endpoint, opts.allowHttp)
  if (typeof target === 'string') throw new IssuanceError('url', `issuance endpoint refused: ${target}`)
  const { status, body } = await post(target, Buffer.from(form.toString(), 'latin1'), opts)
  const json = parseJson(body)
  if (status < 200 || status >= 300) {
    const code = json?.['error']
    const oauthError = typeof code === 'string' && OAUTH_ERROR.test(code) ? code : undefined
    throw new IssuanceError('status', `HTTP ${status}${oauthError === undefined ? '' : ` (${oauthError})`}`, oauthError === undefined ? { status } : { status, oauthError })
  }
  if (json === undefined) throw new IssuanceError('not_json', 'the answer is not a JSON object')
  return readTokenAnswer(json, nowSec)
}

/** access_token, token_type Bearer (when given) and a lifetime: expires_in, else expires_on, else the token's exp. */
export function readTokenAnswer(json: Record<string, unknown>, nowSec: number): IssuedAccessToken {
  const token = json['access_token']
  if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(token)) {
    throw new IssuanceError('no_token', 'no usable access_token in the answer')
  }
  const type = json['token_type']
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) throw new IssuanceError('no_token', 'token_type is not Bearer')
  const expiresIn = seconds(json['expires_in'])
  const expiresOn = seconds(json['expires_on'])
  const exp = expiresIn !== undefined ? nowSec + expiresIn : expiresOn ?? expOf(token)
  if (exp === undefined || exp <= nowSec) throw new IssuanceError('no_expiry', 'the answer tells no (future) expiry: expires_in, expires_on or exp')
  return { accessToken: token, expiresInSec: exp - nowSec }
}

/** ACS writes expires_in as a decimal string; RFC 6749 as a number. */
function seconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined
  return typeof value === 'string' && DECIMAL.test(value) ? Number(value) : undefined
}

function expOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown
    return typeof payload === 'object' && payload !== null ? seconds((payload as Record<string, unknown>)['exp']) : undefined
  } catch {
    return undefined
  }
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** An error answer's body is read too: its `error` code says why (RFC 6749 §5.2). */
async function post(target: URL, data: Buffer, opts: IssuanceOptions): Promise<CappedResponse> {
  try {
    return await requestCapped(target, { ...opts, method: 'POST', body: { contentType: 'application/x-www-form-urlencoded', data }, otherStatus: 'read' })
  } catch (err) {
    if (!(err instanceof CappedRequestError)) throw err
    const status = err.status === undefined ? {} : { status: err.status }
    throw new IssuanceError(err.reason, err.message, err.cause === undefined ? status : { ...status, cause: err.cause })
  }
}
