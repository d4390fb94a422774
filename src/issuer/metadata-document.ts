// Issuer: the authentication metadata document we publish at /metadata/json/1, field for field in the
// Exchange shape (docs/PROTOCOL.md §1.2, §1.7), which every known consumer parses. Built from config, never from
// a request: the Host header plays no part in it.
import { randomUUID } from 'node:crypto'
import type { GatewayConfig } from '../schema/index.js'
import type { SigningKey } from '../certs/index.js'

export interface MetadataKey {
  usage: 'signing'
  /** base64url SHA-1 of the DER certificate (docs/PROTOCOL.md §1.5); consumers recompute it. */
  keyinfo: { x5t: string }
  /** Standard base64 of the DER certificate: the leaf only, no PEM armour. */
  keyvalue: { type: 'x509Certificate'; value: string }
}

export interface MetadataEndpoint {
  location: string
  protocol: 'OAuth2'
  usage: 'metadata'
}

export interface MetadataDocument {
  /** "_" + a GUID, new for each build; consumers ignore it. */
  id: string
  version: '1.0'
  name: string
  realm: string
  /** Our principal id, lowercase GUID. */
  serviceName: string
  /** serviceName@realm: what partners register as the trusted issuer. */
  issuer: string
  allowedAudiences: string[]
  keys: MetadataKey[]
  endpoints: MetadataEndpoint[]
}

/**
 * The document for `service`, listing `published` (issuer-keys.ts: unexpired certificates, current first).
 * `id` defaults to "_" + a random GUID, as Exchange does at each rebuild.
 */
export function buildMetadataDocument(
  service: GatewayConfig['service'],
  published: readonly SigningKey[],
  id = `_${randomUUID()}`,
): MetadataDocument {
  const serviceName = service.id.toLowerCase()
  const realm = service.realm.toLowerCase()
  const issuer = `${serviceName}@${realm}`
  return {
    id,
    version: '1.0',
    name: service.name,
    realm,
    serviceName,
    issuer,
    allowedAudiences: [issuer],
    keys: published.map((key) => ({
      usage: 'signing',
      keyinfo: { x5t: key.x5t },
      keyvalue: { type: 'x509Certificate', value: key.derBase64 },
    })),
    endpoints: [{ location: service.metadataUrl, protocol: 'OAuth2', usage: 'metadata' }],
  }
}
