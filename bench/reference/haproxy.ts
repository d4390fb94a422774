// Bench reference rows: HAProxy as a plain proxy and as a JWT-validating proxy (jwt_verify, HAProxy >= 2.5),
// one thread, http log on stdout (the runner points it at a file). HAProxy checks what it can of an S2S actor
// token in its configuration language: alg RS256, the RSA signature against the partner's public key, iss, aud
// and exp. It has no x5t key selection, no outer-token unwrapping and no cache: every request is verified.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface HaproxyJwt {
  /** The partner's public key, SPKI PEM (HAProxy 2.6 does not take a certificate here). */
  certFile: string
  issuer: string
  audience: string
}

export function writeHaproxyConfig(dir: string, port: number, upstreamPort: number, jwt: HaproxyJwt | undefined): { command: string; args: string[] } {
  const checks =
    jwt === undefined
      ? ''
      : `  http-request set-var(txn.bearer) http_auth_bearer
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('$.alg')
  http-request deny deny_status 401 unless { var(txn.alg) -m str RS256 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_payload_query('$.iss') -m str ${jwt.issuer} }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_payload_query('$.aud') -m str ${jwt.audience} }
  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('$.exp','int')
  http-request deny deny_status 401 if { var(txn.exp),sub(txn.now) -m int lt 0 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify("RS256","${jwt.certFile}") -m int 1 }
`
  const conf = join(dir, jwt === undefined ? 'haproxy.cfg' : 'haproxy-jwt.cfg')
  writeFileSync(
    conf,
    `global
  nbthread 1
  maxconn 4096
  log stdout format raw local0
defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend fe
  bind 127.0.0.1:${port}
${jwt === undefined ? '' : '  http-request set-var(txn.now) date()\n'}${checks}  default_backend be
backend be
  server backend 127.0.0.1:${upstreamPort}
`,
  )
  return { command: 'haproxy', args: ['-db', '-f', conf] }
}
