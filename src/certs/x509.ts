// Certificates: read an X.509 certificate from any form partners publish, and derive the x5t we key on.
// Used by partners/ (metadata and manual registration) and issuer/ (our own certificates).
import { createHash, X509Certificate } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/** One trusted signing certificate of a partner (or of ourselves). */
export interface SigningKey {
  /** base64url SHA-1 of the DER certificate, computed by us (docs/PROTOCOL.md §1.5), never taken from a document. */
  x5t: string
  /** RSA public key, prepared once for node:crypto.verify. */
  publicKey: KeyObject
  /** Certificate validity, epoch milliseconds. */
  notBefore: number
  notAfter: number
  subject: string
  /** Standard base64 DER, as published in metadata documents. */
  derBase64: string
}

/** RSA keys below this size are refused (Exchange and Lync require >= 2048 bits, docs/PROTOCOL.md §2.1). */
export const MIN_RSA_BITS = 2048

export class CertificateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CertificateError'
  }
}

/** base64url(SHA-1(DER)), no padding: docs/PROTOCOL.md §1.5. */
export function computeX5t(der: Uint8Array): string {
  return createHash('sha1').update(der).digest('base64url')
}

/** The Windows "thumbprint" form of the same hash, for display next to x5t. */
export function x5tToThumbprint(x5t: string): string {
  return Buffer.from(x5t, 'base64url').toString('hex').toUpperCase()
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/

/**
 * Decode a certificate given as PEM text, standard or url-safe base64 of DER (padding and whitespace
 * optional), base64 of PEM text (seen in exploit tooling, docs/PROTOCOL.md §7.9), or raw DER bytes.
 */
export function decodeCertificate(input: string | Uint8Array): Buffer {
  if (typeof input !== 'string') return Buffer.from(input)
  const pem = PEM_CERT.exec(input)
  if (pem?.[1] !== undefined) return decodeBase64Loose(pem[1])
  const bytes = decodeBase64Loose(input)
  // base64 of PEM text: "-----BEGIN" encodes to "LS0tLS1CRUdJTi".
  const asText = bytes.subarray(0, 64).toString('latin1')
  if (asText.startsWith('-----BEGIN')) return decodeCertificate(bytes.toString('latin1'))
  return bytes
}

function decodeBase64Loose(text: string): Buffer {
  const compact = text.replace(/\s+/g, '')
  if (compact.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    throw new CertificateError('certificate is not base64 or PEM')
  }
  return Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}

/**
 * Parse a certificate and turn it into a SigningKey: RSA only, at least MIN_RSA_BITS. No chain, revocation
 * or EKU checks (docs/PROTOCOL.md §7.11: token-signing certificates are self-signed by design); expiry is the
 * caller's concern (warn, do not fail: §1.6 step 4).
 */
export function parseSigningCertificate(input: string | Uint8Array): SigningKey {
  const der = decodeCertificate(input)
  let cert: X509Certificate
  try {
    cert = new X509Certificate(der)
  } catch (cause) {
    throw new CertificateError('not a valid X.509 certificate', { cause })
  }
  const publicKey = cert.publicKey
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new CertificateError(`certificate key is ${publicKey.asymmetricKeyType ?? 'unknown'}, RSA required`)
  }
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < MIN_RSA_BITS) throw new CertificateError(`RSA key is ${bits} bits, at least ${MIN_RSA_BITS} required`)
  const raw = cert.raw
  return {
    x5t: computeX5t(raw),
    publicKey,
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
    subject: cert.subject.replace(/\n/g, ', '),
    derBase64: raw.toString('base64'),
  }
}

/** PEM text of a certificate given as DER. */
export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64')
  const lines = b64.match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}
