// Issuer: what we publish (metadata document, public keys) and the key our own tokens are signed with.
export { loadIssuerKeys, type IssuerKeys } from './issuer-keys.js'
export { buildMetadataDocument, type MetadataDocument, type MetadataEndpoint, type MetadataKey } from './metadata-document.js'
export { registerMetadataRoute, METADATA_PATH, METADATA_DOCUMENT_SCHEMA, type MetadataRouteOptions } from './route.js'
