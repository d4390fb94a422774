// Workers: partner metadata fetched once per gateway. The primary's own partners (its registry and authorization
// servers) are the only ones that fetch over HTTP: their single-flight, refetch cooldown and background refresh
// hold for the whole gateway. A worker asks for a URL's document and says which version it holds; it gets the
// primary's newer one at once, or, on demand, whatever the primary's partner's refetchOnMiss brings.
import type { Partner } from '../partners/index.js'
import { fetchMetadataDocument, type FetchDocument } from '../partners/index.js'
import type { RuntimeHolder } from '../lifecycle/index.js'
import type { DocumentAnswer, FetchFailure } from './messages.js'

export interface MetadataBroker {
  /** The primary's fetcher: fetches over HTTP and remembers each URL's latest document. */
  fetchDocument: FetchDocument
  /** Where the primary's partners are found (its runtime in use). */
  attach(holder: RuntimeHolder): void
  /** A worker's question: `have` is the version it holds (0: none); `onDemand` after an unknown key. */
  answer(url: string, have: number, onDemand: boolean): Promise<DocumentAnswer | FetchFailure>
}

/** The latest document of each URL the primary's partners fetched (as many as were ever configured). */
interface Latest {
  document: unknown
  version: number
}

export function createMetadataBroker(fetchDocument: FetchDocument = fetchMetadataDocument): MetadataBroker {
  const latest = new Map<string, Latest>()
  let version = 0
  let holder: RuntimeHolder | undefined

  const partnerFor = (url: string): Partner | undefined => {
    const runtime = holder?.current
    if (runtime === undefined) return undefined
    const own = runtime.registry.all().find((p) => p.config.metadataUrl === url)
    return own ?? runtime.authorizationServers.all().map((s) => s.metadata).find((p) => p.config.metadataUrl === url)
  }

  /** The primary's document for `url`, when its partner's last fetch succeeded; else why not. */
  const current = (url: string, partner: Partner): DocumentAnswer | FetchFailure => {
    const doc = latest.get(url)
    const last = partner.lastFetch()
    if (doc !== undefined && last?.ok === true) return { ok: true, document: doc.document, version: doc.version }
    // A worker must not take keys for fresh that the primary already serves as last-known-good (or not at all).
    return { ok: false, reason: 'network', message: last?.detail ?? last?.error ?? 'metadata not loaded yet' }
  }

  return {
    async fetchDocument(url, options, purpose) {
      const document = await (purpose === undefined ? fetchDocument(url, options) : fetchDocument(url, options, purpose))
      latest.set(url, { document, version: (version += 1) })
      return document
    },
    attach(next) {
      holder = next
    },
    async answer(url, have, onDemand) {
      const partner = partnerFor(url)
      if (partner === undefined) return { ok: false, reason: 'url', message: 'metadata URL not configured in the primary' }
      const known = current(url, partner)
      if (known.ok && known.version > have) return known
      if (onDemand) await partner.refetchOnMiss()
      else if (!known.ok) await partner.ensureLoaded()
      return current(url, partner)
    },
  }
}
