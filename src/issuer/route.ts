// Issuer: GET /metadata/json/1 on the inbound listener, anonymous (partners fetch it without credentials).
// The response schema names every field, so the serializer drops anything else that slips into a document.
import type { FastifyInstance } from 'fastify'
import type { MetadataDocument } from './metadata-document.js'

/** Where the document is served. It must contain "metadata/json/1": Exchange classifies URLs by it (docs/PROTOCOL.md §1.1). */
export const METADATA_PATH = '/metadata/json/1'

const str = { type: 'string' } as const
const obj = (properties: Record<string, unknown>) =>
  ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties }) as const

/** The JSON schema of MetadataDocument, used to serialize responses. */
export const METADATA_DOCUMENT_SCHEMA = obj({
  id: str,
  version: str,
  name: str,
  realm: str,
  serviceName: str,
  issuer: str,
  allowedAudiences: { type: 'array', items: str },
  keys: { type: 'array', items: obj({ usage: str, keyinfo: obj({ x5t: str }), keyvalue: obj({ type: str, value: str }) }) },
  endpoints: { type: 'array', items: obj({ location: str, protocol: str, usage: str }) },
})

export interface MetadataRouteOptions {
  /** The current document; called per request, so a reload or rotation shows at once. */
  document: () => MetadataDocument
}

/** Register the route on `app` directly (no encapsulation), outside any authentication scope. */
export function registerMetadataRoute(app: FastifyInstance, opts: MetadataRouteOptions): void {
  app.get(METADATA_PATH, { schema: { response: { 200: METADATA_DOCUMENT_SCHEMA } } }, async (_request, reply) => {
    reply.header('content-type', 'application/json; charset=utf-8')
    return opts.document()
  })
}
