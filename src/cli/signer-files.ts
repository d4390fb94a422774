// CLI: a token signer from a key file and its certificate file, for `token mint` and `test-partner --inbound`.
import { readFileSync } from 'node:fs'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { parseSigningCertificate } from '../certs/index.js'
import type { TokenSigner } from '../issuer/index.js'

/** The private key in `keyFile` and the x5t of `certFile`; throws with a readable message when they do not match. */
export function readSigner(keyFile: string, certFile: string): TokenSigner {
  const cert = parseSigningCertificate(readFileSync(certFile, 'latin1'))
  const privateKey = createPrivateKey(readFileSync(keyFile, 'latin1'))
  if (!createPublicKey(privateKey).equals(cert.publicKey)) throw new Error(`${keyFile} is not the key of ${certFile}`)
  return { privateKey, x5t: cert.x5t }
}
