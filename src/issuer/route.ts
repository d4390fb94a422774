// Issuer: GET /metadata/json/1 on the inbound listener, anonymous (partners fetch it without credentials).
// Only the declared fields are written, so nothing else that slips into a document reaches a partner; the bytes are
// serialized once per document (a reload or rotation builds a new one).
import type { ServerResponse } from 'node:http'
import type { MetadataDocument } from './metadata-document.js'

/** Where the document is served. It must contain "metadata/json/1": Exchange classifies URLs by it (docs/PROTOCOL.md §1.1). */
export const METADATA_PATH = '/metadata/json/1'

/** The published shape, field by field (the order partners and tests see). */
function publishedShape(doc: MetadataDocument): MetadataDocument {
  return {
    id: String(doc.id),
    version: String(doc.version),
    name: String(doc.name),
    realm: String(doc.realm),
    serviceName: String(doc.serviceName),
    issuer: String(doc.issuer),
    allowedAudiences: doc.allowedAudiences.map(String),
    keys: doc.keys.map((k) => ({ usage: String(k.usage), keyinfo: { x5t: String(k.keyinfo.x5t) }, keyvalue: { type: String(k.keyvalue.type), value: String(k.keyvalue.value) } })),
    endpoints: doc.endpoints.map((e) => ({ location: String(e.location), protocol: String(e.protocol), usage: String(e.usage) })),
  } as MetadataDocument
}

const bodies = new WeakMap<MetadataDocument, Buffer>()

/** The document's JSON bytes, serialized once per document object. */
export function metadataBody(doc: MetadataDocument): Buffer {
  let body = bodies.get(doc)
  if (body === undefined) {
    body = Buffer.from(JSON.stringify(publishedShape(doc)))
    bodies.set(doc, body)
  }
  return body
}

/** Answer GET (or HEAD: same headers, no body) with the document. */
export function writeMetadata(res: ServerResponse, doc: MetadataDocument): void {
  const body = metadataBody(doc)
  res.statusCode = 200
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.setHeader('content-length', body.length)
  res.end(body)
}
