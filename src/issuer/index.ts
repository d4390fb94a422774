// Issuer: what we publish (metadata document, public keys) and the key our own tokens are signed with.
export { loadIssuerKeys, type IssuerKeys } from './issuer-keys.js'
export { buildMetadataDocument, type MetadataDocument, type MetadataEndpoint, type MetadataKey } from './metadata-document.js'
export { METADATA_PATH, metadataBody, writeMetadata } from './route.js'
export { mintActorToken, wrapUserToken, type DateFormat, type TokenSigner } from './mint.js'
