// Certificates: make a self-signed RSA certificate for a token issuer (ours, or a test partner's).
// Node can only read certificates; @peculiar/x509 writes them. Used by `cert create`, the demo and tests.
import { webcrypto, createPrivateKey, type KeyObject } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { computeX5t, MIN_RSA_BITS } from './x509.js'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

export interface CreateCertificateOptions {
  /** Distinguished name, e.g. "CN=s2s-gateway". Default "CN=s2s-gateway token issuer". */
  subject?: string
  /** Validity in days from notBefore. Default 730. */
  days?: number
  /** RSA modulus length. Default 2048, at least 2048. */
  keyBits?: number
  /** Default: now minus one hour, so a slightly slow partner clock still sees it as valid. */
  notBefore?: Date
}

export interface CreatedCertificate {
  certPem: string
  keyPem: string
  privateKey: KeyObject
  der: Buffer
  x5t: string
  notBefore: Date
  notAfter: Date
}

const DAY_MS = 86_400_000

export async function createSelfSignedCertificate(opts: CreateCertificateOptions = {}): Promise<CreatedCertificate> {
  const keyBits = opts.keyBits ?? MIN_RSA_BITS
  if (!Number.isInteger(keyBits) || keyBits < MIN_RSA_BITS) throw new Error(`keyBits must be >= ${MIN_RSA_BITS}`)
  const days = opts.days ?? 730
  if (!(days > 0)) throw new Error('days must be positive')
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: keyBits }
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])
  const notBefore = opts.notBefore ?? new Date(Date.now() - 3_600_000)
  const notAfter = new Date(notBefore.getTime() + days * DAY_MS)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: opts.subject ?? 'CN=s2s-gateway token issuer',
    notBefore,
    notAfter,
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  })
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  const der = Buffer.from(cert.rawData)
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    privateKey,
    der,
    x5t: computeX5t(der),
    notBefore,
    notAfter,
  }
}
