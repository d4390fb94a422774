// Certificates: the inbound listener's TLS certificate chain and key (listen.inbound.tls), read and checked as
// a pair, so a start-up or a reload refuses a bad pair before the listener serves it (server.setSecureContext),
// and /metrics can export the served certificate's expiry (owner="inbound-tls").
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import { fileErrorText } from './files.js'
import { ConfigError, type ConfigProblem } from './problems.js'
import type { TlsFiles } from '../schema/index.js'
import { computeX5t } from '../certs/index.js'

/** What the listener serves: the bytes handed to TLS, and what /metrics and the logs say about them. */
export interface TlsPair {
  cert: Buffer
  key: Buffer
  /** base64url(SHA-1(DER)) of the leaf certificate: the x5t label of the expiry metric. */
  x5t: string
  /** Hex serial number of the leaf certificate, for the log line a reload writes. */
  serial: string
  /** The leaf certificate's notAfter, epoch ms. */
  notAfter: number
}

const PATH = 'listen.inbound.tls'

/**
 * Check bytes already read: the leaf certificate parses, the key parses and belongs to it, and TLS accepts the
 * pair. Returns the problem (with its config path) or the pair.
 */
export function checkTlsPair(files: TlsFiles, cert: Buffer, key: Buffer): ConfigProblem | TlsPair {
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(cert)
  } catch {
    return { path: `${PATH}.cert`, message: `${files.cert} is not a PEM certificate` }
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(key))) return { path: `${PATH}.key`, message: `${files.key} does not belong to ${files.cert}` }
    createSecureContext({ cert, key })
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    return { path: `${PATH}.key`, message: `${files.key} is not a usable private key for ${files.cert} (${detail})` }
  }
  return { cert, key, x5t: computeX5t(leaf.raw), serial: leaf.serialNumber, notAfter: Date.parse(leaf.validTo) }
}

/** Read and check listen.inbound.tls; any failure is a ConfigError naming the file's path (a reload refuses it). */
export function loadTlsPair(files: TlsFiles): TlsPair {
  const read = (file: string, which: 'cert' | 'key'): Buffer => {
    try {
      return readFileSync(file)
    } catch (err) {
      throw new ConfigError([{ path: `${PATH}.${which}`, message: `cannot read ${file}: ${fileErrorText(err)}` }])
    }
  }
  const checked = checkTlsPair(files, read(files.cert, 'cert'), read(files.key, 'key'))
  if ('path' in checked) throw new ConfigError([checked])
  return checked
}
