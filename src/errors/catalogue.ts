// Errors: the catalogue, every answer the gateway can give on any listener, its status, the only text a caller sees,
// and whose failure it reports (the one rule for its log level, level.ts, reads that). Precise reasons
// (TokenRejectReason) go to logs and metrics, never to the caller: one public answer per status.

/**
 * Whose failure an answer reports, which decides the level of its log line (level.ts):
 * - `token`: a missing or refused bearer token. Anyone can send one, so it is the floodable answer (debug).
 * - `caller`: the request is malformed, unknown or not allowed (info).
 * - `suspect`: a refusal that only an attack or a misconfigured client earns, on the admin listener (warn).
 * - `peer`: someone else failed: the backend, a partner, its keys, an authorization server (warn).
 * - `ours`: a fault of the gateway itself (error).
 * - `none`: nothing failed: a request that arrived while the gateway shuts down (info).
 */
export type Fault = 'token' | 'caller' | 'suspect' | 'peer' | 'ours' | 'none'

const CATALOG = {
  /** No credentials at all: 401 with the bare challenge (RFC 6750 §3.1: no error attribute). */
  GW_TOKEN_MISSING: { status: 401, publicCode: 'unauthorized', message: 'bearer token required', fault: 'token' },
  /** Anything wrong with a presented token, whichever step found it. */
  GW_TOKEN_INVALID: { status: 401, publicCode: 'invalid_token', message: 'token rejected', fault: 'token' },
  /** Only after full verification: the partner is not allowed what it asks. */
  GW_NOT_ALLOWED: { status: 403, publicCode: 'forbidden', message: 'not allowed', fault: 'caller' },
  /** HTTP-level faults: two Authorization headers, ambiguous paths, absolute-form targets. */
  GW_BAD_REQUEST: { status: 400, publicCode: 'bad_request', message: 'bad request', fault: 'caller' },
  GW_NOT_FOUND: { status: 404, publicCode: 'not_found', message: 'not found', fault: 'caller' },
  /** Node's parser: a request head whose headers were not complete in time (server.headersTimeout). */
  GW_REQUEST_TIMEOUT: { status: 408, publicCode: 'request_timeout', message: 'request timeout', fault: 'caller' },
  /** Node's parser: chunk extensions over its limit. */
  GW_PAYLOAD_TOO_LARGE: { status: 413, publicCode: 'payload_too_large', message: 'payload too large', fault: 'caller' },
  /** Node's parser: a request head over its 16 KiB limit (--max-http-header-size). */
  GW_HEADERS_TOO_LARGE: { status: 431, publicCode: 'headers_too_large', message: 'request header fields too large', fault: 'caller' },
  GW_NOT_IMPLEMENTED: { status: 501, publicCode: 'not_implemented', message: 'not implemented', fault: 'caller' },
  /** The partner that signed the token has no usable keys (never loaded, or older than maxStaleSec). */
  GW_PARTNER_UNAVAILABLE: { status: 503, publicCode: 'unavailable', message: 'partner keys unavailable, retry later', fault: 'peer' },
  /** Only after authentication: the partner is over its ratePerSec/burst or maxConcurrent (issue 14 §1). */
  GW_RATE_LIMITED: { status: 429, publicCode: 'rate_limited', message: 'too many requests, retry later', fault: 'caller' },
  /** A request that arrived on a kept-alive connection after shutdown began: answered, and the connection closed. */
  GW_SHUTTING_DOWN: { status: 503, publicCode: 'unavailable', message: 'shutting down, retry', fault: 'none' },
  GW_UPSTREAM_UNREACHABLE: { status: 502, publicCode: 'bad_gateway', message: 'upstream unavailable', fault: 'peer' },
  GW_UPSTREAM_TIMEOUT: { status: 504, publicCode: 'gateway_timeout', message: 'upstream timed out', fault: 'peer' },
  GW_INTERNAL: { status: 500, publicCode: 'internal', message: 'internal error', fault: 'ours' },
  // Outbound listener (issue 3): its callers are our own backend, so the texts may be specific.
  /** The path names no partner with an `outbound` section. */
  GW_OUTBOUND_UNKNOWN_PARTNER: { status: 404, publicCode: 'not_found', message: 'no partner of that name is configured for outbound calls', fault: 'caller' },
  /** listen.outbound.sharedSecret is set and x-s2s-outbound-secret is missing or wrong. */
  GW_OUTBOUND_SECRET: { status: 403, publicCode: 'forbidden', message: 'x-s2s-outbound-secret missing or wrong', fault: 'caller' },
  /** x-s2s-act-as-* sent for a partner without outbound.actAsUsers. */
  GW_OUTBOUND_ACT_AS_DENIED: { status: 403, publicCode: 'forbidden', message: 'calls on behalf of users are not enabled for this partner (outbound.actAsUsers)', fault: 'caller' },
  /** Neither its challenge, its metadata nor config tell the partner's principal id and realm. */
  GW_OUTBOUND_AUDIENCE_UNKNOWN: { status: 502, publicCode: 'bad_gateway', message: 'partner principal id or realm unknown (no challenge, metadata or config names it)', fault: 'peer' },
  GW_OUTBOUND_UNREACHABLE: { status: 502, publicCode: 'bad_gateway', message: 'partner unreachable', fault: 'peer' },
  /** x-s2s-act-as-* sent for a partner with authorizationServer: only app-only tokens come from a token server (issue 7). */
  GW_OUTBOUND_AUTHZ_USER: { status: 403, publicCode: 'forbidden', message: 'calls on behalf of users are not supported for a partner reached through an authorization server', fault: 'caller' },
  /** The authorization server gave no access token (unreachable, refused our client assertion, no issuance endpoint). */
  GW_OUTBOUND_AUTHZ_TOKEN: { status: 502, publicCode: 'bad_gateway', message: 'no access token from the authorization server', fault: 'peer' },
  GW_OUTBOUND_TIMEOUT: { status: 504, publicCode: 'gateway_timeout', message: 'partner timed out', fault: 'peer' },
  // Admin listener (issue 17): refusals before any route, and of POST /reload.
  /** Host is not an IP literal, localhost or in admin.allowedHosts: a DNS-rebinding name (RFC 9110 §15.5.20). */
  GW_ADMIN_HOST: { status: 421, publicCode: 'misdirected_request', message: 'host not allowed', fault: 'suspect' },
  /** A browser's state-changing request (an Origin, or Sec-Fetch-Site cross-site / same-site). */
  GW_ADMIN_CROSS_ORIGIN: { status: 403, publicCode: 'forbidden', message: 'cross-origin request refused', fault: 'suspect' },
  /** POST /reload from off loopback without the right admin.reloadToken. */
  GW_ADMIN_RELOAD_TOKEN: { status: 401, publicCode: 'unauthorized', message: 'reload token required', fault: 'suspect' },
  /** POST /reload from off loopback when no admin.reloadToken is set. */
  GW_ADMIN_RELOAD_LOOPBACK: { status: 403, publicCode: 'forbidden', message: 'loopback callers only', fault: 'suspect' },
  /** fastify's body parser: a Content-Type the admin routes take no body of. */
  GW_UNSUPPORTED_MEDIA_TYPE: { status: 415, publicCode: 'unsupported_media_type', message: 'unsupported media type', fault: 'caller' },
} as const satisfies Record<string, { status: number; publicCode: string; message: string; fault: Fault }>

export type ErrorCode = keyof typeof CATALOG

/**
 * Why a token was refused. Logged and counted (low cardinality, fixed set), never sent to the caller.
 * Grouped by the docs/PROTOCOL.md §4 step that finds them.
 */
export type TokenRejectReason =
  // §4.1 extract
  | 'too_large'
  | 'malformed'
  // §4.2-3 classify, header
  | 'alg_not_allowed'
  | 'header_not_allowed' // jku, x5u, jwk, x5c, crit, typ other than JWT
  | 'outer_signed'
  | 'outer_no_actortoken'
  | 'nested_actortoken'
  // §4.4 partner
  | 'issuer_malformed'
  | 'issuer_unknown'
  | 'issuer_realm'
  // issue 7: tokens issued by an authorization server (docs/PROTOCOL.md §6)
  | 'authz_actor' // the acting application (actor, or nameid when app-only) is no partner configured with that server
  | 'authz_wrapped' // an alg-none outer token around a server's token: user context comes from the server itself
  // §4.5 signature
  | 'signature'
  // §4.6 audience
  | 'aud_malformed'
  | 'aud_principal'
  | 'aud_host'
  | 'aud_realm'
  // §4.7 nameid
  | 'nameid'
  // §4.8 time
  | 'time_malformed'
  | 'not_yet_valid'
  | 'expired'
  | 'lifetime'
  // §4.9 outer token
  | 'outer_binding'
  // §4.10-11 user claims
  | 'user_claims'
  | 'claim_value'

export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly publicCode: string
  readonly fault: Fault
  readonly reason: TokenRejectReason | undefined
  /** Logs only: partner name, x5t, claim name. Never token text, keys or header values. */
  readonly detail: Record<string, unknown>

  constructor(
    code: ErrorCode,
    opts: { cause?: unknown; reason?: TokenRejectReason; detail?: Record<string, unknown> } = {},
  ) {
    // A 4xx answers a caller's mistake and is thrown for every rejected request, where V8's stack capture on
    // construction would cost more than the rest of the check (issue 6): no stack for those; 5xx keep theirs.
    const stackTraceLimit = Error.stackTraceLimit
    if (CATALOG[code].status < 500) Error.stackTraceLimit = 0
    super(CATALOG[code].message, opts.cause === undefined ? undefined : { cause: opts.cause })
    Error.stackTraceLimit = stackTraceLimit
    this.name = 'GatewayError'
    this.code = code
    this.status = CATALOG[code].status
    this.publicCode = CATALOG[code].publicCode
    this.fault = CATALOG[code].fault
    this.reason = opts.reason
    this.detail = opts.detail ?? {}
  }
}

/** Shorthand for the most common rejection: a 401 with a precise (logged) reason. */
export function tokenInvalid(reason: TokenRejectReason, detail?: Record<string, unknown>): GatewayError {
  return new GatewayError('GW_TOKEN_INVALID', detail === undefined ? { reason } : { reason, detail })
}

/** Anything thrown that is not ours becomes GW_INTERNAL, keeping the original as cause. */
export function toGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : new GatewayError('GW_INTERNAL', { cause: err })
}

/** The public JSON body for an error: coarse code and fixed text only. */
export function publicBody(err: GatewayError): { error: string; message: string } {
  return { error: err.publicCode, message: err.message }
}
