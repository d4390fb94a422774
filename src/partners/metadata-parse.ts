// Who we trust: turn a fetched metadata document (any shape of docs/PROTOCOL.md §1.2-§1.4) into the partner's
// identity and signing keys. Liberal in parsing, strict in trust (§7.9). Fed by metadata-fetch.ts, used by partner.ts.
import { CertificateError, parseSigningCertificate } from '../certs/index.js'
import type { PartnerIdentity } from './types.js'
import type { SigningKey } from '../certs/index.js'
import { getField, getString, isKeyword } from './json-fields.js'
import { readIdentity } from './metadata-identity.js'

/** Real certificates are a few KiB; longer values are skipped, which also bounds the work per key. */
export const MAX_CERT_VALUE_CHARS = 65_536
/** Entries of `keys` looked at; publishers list two (Exchange) to a handful (ACS). */
export const MAX_KEY_ENTRIES = 100

export type MetadataErrorReason = 'not_object' | 'no_identity' | 'no_keys' | 'no_usable_key'

/** The document cannot be used at all. `reason` is short, fixed and safe to log or count. */
export class MetadataError extends Error {
  readonly reason: MetadataErrorReason
  constructor(reason: MetadataErrorReason, message: string) {
    super(message)
    this.name = 'MetadataError'
    this.reason = reason
  }
}

export interface ParsedMetadata {
  identity: PartnerIdentity
  /** Every usable signing key, deduplicated by (our computed) x5t, in document order. */
  keys: SigningKey[]
  /** Skipped keys and x5t mismatches. Our own wording, never document text. */
  warnings: string[]
  /** `endpoints[]` entry with protocol OAuth2 and usage issuance: the document is an authorization server's (ACS). */
  issuanceEndpoint?: string
}

/** Parse a metadata document. Throws only MetadataError, whatever JSON value it is given. */
export function parseMetadataDocument(doc: unknown): ParsedMetadata {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new MetadataError('not_object', 'metadata document is not a JSON object')
  }
  const identity = readIdentity(doc)
  if (identity === undefined) {
    throw new MetadataError('no_identity', 'metadata document names no usable issuer (issuer, or serviceName and realm)')
  }
  const entries = getField(doc, 'keys')
  if (!Array.isArray(entries)) throw new MetadataError('no_keys', 'metadata document has no keys array')
  const warnings: string[] = []
  const keys = readSigningKeys(entries, warnings)
  if (keys.length === 0) throw new MetadataError('no_usable_key', 'metadata document has no usable signing key')
  const issuanceEndpoint = readIssuanceEndpoint(doc)
  return issuanceEndpoint === undefined ? { identity, keys, warnings } : { identity, keys, warnings, issuanceEndpoint }
}

/** Every `usage: signing`, `type: x509Certificate` entry with a value (docs/PROTOCOL.md §1.6), deduplicated by x5t. */
function readSigningKeys(entries: readonly unknown[], warnings: string[]): SigningKey[] {
  if (entries.length > MAX_KEY_ENTRIES) warnings.push(`only the first ${MAX_KEY_ENTRIES} of ${entries.length} keys were read`)
  const byX5t = new Map<string, SigningKey>()
  entries.slice(0, MAX_KEY_ENTRIES).forEach((entry, index) => {
    const key = readSigningKey(entry, `keys[${index}]`, warnings)
    if (key !== undefined && !byX5t.has(key.x5t)) byX5t.set(key.x5t, key)
  })
  return [...byX5t.values()]
}

function readSigningKey(entry: unknown, where: string, warnings: string[]): SigningKey | undefined {
  if (!isKeyword(getField(entry, 'usage'), 'signing')) return undefined // encryption keys etc.: not ours to judge
  const keyValue = getField(entry, 'keyValue')
  if (!isKeyword(getField(keyValue, 'type'), 'x509Certificate')) return undefined
  const value = getString(keyValue, 'value')
  if (value === undefined) return undefined
  if (value.length > MAX_CERT_VALUE_CHARS) {
    warnings.push(`${where}: skipped, value longer than ${MAX_CERT_VALUE_CHARS} characters`)
    return undefined
  }
  let key: SigningKey
  try {
    key = parseSigningCertificate(value)
  } catch (err) {
    warnings.push(`${where}: skipped, ${err instanceof CertificateError ? err.message : 'unreadable certificate'}`)
    return undefined
  }
  const published = getString(getField(entry, 'keyInfo'), 'x5t')
  if (published !== undefined && normaliseX5t(published) !== key.x5t) {
    // Exchange ignores the published x5t too (docs/PROTOCOL.md §1.6); ours is authoritative, a mismatch is only news.
    warnings.push(`${where}: published x5t does not match the certificate, using computed ${key.x5t}`)
  }
  return key
}

/** Published x5t values are sometimes padded standard base64 (docs/PROTOCOL.md §7.9); compare as base64url. */
function normaliseX5t(x5t: string): string {
  return x5t.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
}

function readIssuanceEndpoint(doc: object): string | undefined {
  const endpoints = getField(doc, 'endpoints')
  if (!Array.isArray(endpoints)) return undefined
  for (const endpoint of endpoints) {
    if (!isKeyword(getField(endpoint, 'protocol'), 'OAuth2')) continue
    if (!isKeyword(getField(endpoint, 'usage'), 'issuance')) continue
    const location = getString(endpoint, 'location')
    if (location !== undefined && location.length <= 2_048) return location
  }
  return undefined
}
