// Issuer: our own certificates, loaded from the files config/ already checked. The first one signs our
// tokens (mint.ts), every unexpired one is published in our metadata document (metadata-document.ts).
import { readFileSync } from 'node:fs'
import { createPublicKey } from 'node:crypto'
import { parseCertificateBytes, parsePrivateKeyBytes } from '../config/index.js'
import { ConfigError } from '../config/index.js'
import type { GatewayConfig } from '../schema/index.js'
import type { SigningKey } from '../certs/index.js'
import type { TokenSigner } from './mint.js'

export interface IssuerKeys {
  /** Private key and x5t of the first certificate: what signs our tokens. */
  signer: TokenSigner
  /** The first certificate, as published. */
  signingKey: SigningKey
  /**
   * Every configured certificate whose notAfter is still ahead, in configuration order: the current one, the
   * previous one until it expires, and a next one pre-published before it starts signing (docs/PROTOCOL.md §1.7).
   */
  published: SigningKey[]
}

/**
 * Read issuer.certificates again (config/ checked them at load; a file changed since is a ConfigError).
 * `nowMs` decides which certificates are still unexpired and therefore published.
 */
export function loadIssuerKeys(issuer: GatewayConfig['issuer'], nowMs: number): IssuerKeys {
  const keys = issuer.certificates.map((entry, i) => readFile(entry.cert, `issuer.certificates[${i}].cert`, parseCertificateBytes))
  const first = issuer.certificates[0]
  const signingKey = keys[0]
  if (first === undefined || signingKey === undefined) {
    throw new ConfigError([{ path: 'issuer.certificates', message: 'must list at least one entry' }])
  }
  if (first.key === undefined) {
    throw new ConfigError([{ path: 'issuer.certificates[0].key', message: 'is required: the first certificate signs our tokens' }])
  }
  const privateKey = readFile(first.key, 'issuer.certificates[0].key', parsePrivateKeyBytes)
  if (!createPublicKey(privateKey).equals(signingKey.publicKey)) {
    throw new ConfigError([{ path: 'issuer.certificates[0].key', message: `${first.key} does not belong to ${first.cert}` }])
  }
  return {
    signer: { privateKey, x5t: signingKey.x5t },
    signingKey,
    published: keys.filter((key) => key.notAfter > nowMs),
  }
}

/** Read and parse one file as config/ did at load; any failure is a ConfigError naming its path. */
function readFile<T>(file: string, path: string, parse: (bytes: Buffer) => T): T {
  try {
    return parse(readFileSync(file))
  } catch (err) {
    throw new ConfigError([{ path, message: `${file}: ${err instanceof Error ? err.message : String(err)}` }])
  }
}
