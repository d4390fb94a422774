// Net: the TLS settings of a client connection (the capped client, the outbound partner agents).
import type { ConnectionOptions } from 'node:tls'

export interface TlsClientSettings {
  /** PEM CA bundle used instead of the system CAs (the contents of a caFile). */
  caPem?: string | undefined
  /** Skip certificate verification (Exchange's -TrustAnySSLCertificate). Default false. */
  insecureSkipVerify?: boolean
}

/** `rejectUnauthorized` and `ca` for node:https / node:tls; `ca` only when a bundle is given. */
export function tlsClientOptions(settings: TlsClientSettings): Pick<ConnectionOptions, 'rejectUnauthorized' | 'ca'> {
  const options: Pick<ConnectionOptions, 'rejectUnauthorized' | 'ca'> = { rejectUnauthorized: settings.insecureSkipVerify !== true }
  if (settings.caPem !== undefined) options.ca = settings.caPem
  return options
}
