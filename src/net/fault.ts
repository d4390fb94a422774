// Net: what a failed socket (connect, TLS handshake, name lookup) was, from its error code. The one rule for the
// outbound calls (outbound/send.ts), the backend (proxy/forward.ts) and the capped client (capped-request.ts).

/** A connection fault, coarse and fixed (safe as a metric label). */
export type SocketFault = 'refused' | 'reset' | 'dns' | 'tls' | 'other'

/** Node's TLS and OpenSSL verification codes (ERR_TLS_CERT_ALTNAME_INVALID, CERT_HAS_EXPIRED, ...) and EPROTO. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO$)/

/** The error's `code` when it has a string one, else ''. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : ''
}

export function isTlsErrorCode(code: string): boolean {
  return TLS_CODE.test(code)
}

/** Refused covers every "nobody there" answer (host and network unreachable too); reset a connection cut short. */
export function classifySocketError(err: unknown): SocketFault {
  const code = errorCode(err)
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'refused'
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'reset'
  if (code === 'ENOTFOUND' || code.startsWith('EAI_')) return 'dns'
  if (isTlsErrorCode(code)) return 'tls'
  return 'other'
}
