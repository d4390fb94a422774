// Who we trust: the public API of partners/ (registry, metadata fetch and parse, partner factories).
export type { KeySet, KeyState, Partner, PartnerIdentity, PartnerRegistry } from './types.js'
export { createPartnerRegistry, PartnerRegistryError, type RegistryDeps } from './registry.js'
export { createMetadataPartner, createStaticPartner } from './partner.js'
export type { PartnerDeps, PartnerEvents } from './partner-deps.js'
export type { PartnerSeed } from './types.js'
export { parseMetadataDocument, MetadataError, type MetadataErrorReason, type ParsedMetadata } from './metadata-parse.js'
export {
  fetchMetadataDocument,
  MetadataFetchError,
  type FetchDocument,
  type FetchPurpose,
  type MetadataFetchOptions,
  type MetadataFetchReason,
} from './metadata-fetch.js'
export { buildKeySet } from './key-set.js'
export { createSnapshotStore, type Snapshot, type SnapshotKind, type SnapshotStore } from './snapshot.js'
export { ownershipProblem } from './snapshot-trust.js'
