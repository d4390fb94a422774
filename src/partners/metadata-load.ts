// Who we trust: one attempt to load a partner's keys: fetch, parse, then check the document's identity against
// the pinned config and the first accepted document. Never throws. Used by partner.ts.
import type { GatewayConfig, PartnerConfig } from '../schema/index.js'
import { MetadataError, parseMetadataDocument, type ParsedMetadata } from './metadata-parse.js'
import { MetadataFetchError, type FetchDocument, type MetadataFetchOptions } from './metadata-fetch.js'
import type { PartnerIdentity } from './types.js'

/** 'error': the document could not be fetched. 'refused': fetched but not trusted; the old keys stay. */
export type LoadOutcome =
  | { result: 'ok'; parsed: ParsedMetadata; document: unknown }
  | { result: 'error'; reason: string; detail?: string }
  | { result: 'refused'; reason: string; found?: PartnerIdentity }

export interface LoadRequest {
  url: string
  options: MetadataFetchOptions
  fetchDocument: FetchDocument
  config: PartnerConfig
  /** Identity of the first accepted document; later documents must name the same issuer. */
  accepted: PartnerIdentity | undefined
  /** The on-demand refetch after an unknown key (told to the fetcher). */
  onDemand?: boolean
}

export async function loadMetadata(req: LoadRequest): Promise<LoadOutcome> {
  let doc: unknown
  try {
    doc = await (req.onDemand === true ? req.fetchDocument(req.url, req.options, { onDemand: true }) : req.fetchDocument(req.url, req.options))
  } catch (err) {
    // The error's own message (errno, HTTP status) goes to the log and /status, as partner add prints it.
    return err instanceof MetadataFetchError ? { result: 'error', reason: err.reason, detail: err.message } : { result: 'error', reason: 'fetch_failed' }
  }
  return judgeDocument(doc, req.config, req.accepted)
}

/** Parse a document and check its identity: the one judgement a fetched document and a snapshot on disk both pass. */
export function judgeDocument(doc: unknown, config: PartnerConfig, accepted: PartnerIdentity | undefined): Exclude<LoadOutcome, { result: 'error' }> {
  let parsed: ParsedMetadata
  try {
    parsed = parseMetadataDocument(doc)
  } catch (err) {
    return { result: 'refused', reason: err instanceof MetadataError ? err.reason : 'malformed' }
  }
  const mismatch = checkIdentity(parsed.identity, config, accepted)
  if (mismatch !== undefined) return { result: 'refused', reason: mismatch, found: parsed.identity }
  return { result: 'ok', parsed, document: doc }
}

/**
 * Why `found` may not be trusted, or undefined. A pinned applicationId/realm stops a poisoned document at
 * start-up; the first accepted identity stops a later document from changing the partner's issuer (issue 2 §5).
 * A registered realm of "*" pins nothing: the partner's tokens may name any of our realms, whatever realm its
 * document names (docs/PROTOCOL.md §4.4, §8), and partner-state.ts's registeredIdentity keeps the "*".
 */
export function checkIdentity(
  found: PartnerIdentity,
  config: PartnerConfig,
  accepted: PartnerIdentity | undefined,
): 'pinned_mismatch' | 'issuer_changed' | undefined {
  if (config.applicationId !== undefined && config.applicationId.toLowerCase() !== found.id) return 'pinned_mismatch'
  if (config.realm !== undefined && config.realm !== '*' && config.realm.toLowerCase() !== found.realm) return 'pinned_mismatch'
  if (accepted !== undefined && (accepted.id !== found.id || accepted.realm !== found.realm)) return 'issuer_changed'
  return undefined
}

/** Fetch options for one partner: global timeout and size cap, the partner's own http and TLS settings. */
export function fetchOptionsFor(
  config: PartnerConfig,
  metadata: GatewayConfig['metadata'],
  caPem: string | undefined,
): MetadataFetchOptions {
  const options: MetadataFetchOptions = {
    timeoutMs: metadata.timeoutMs,
    maxBytes: metadata.maxBytes,
    allowHttp: config.allowHttp,
    insecureSkipVerify: config.tls.insecureSkipVerify,
  }
  if (caPem !== undefined) options.caPem = caPem
  return options
}
