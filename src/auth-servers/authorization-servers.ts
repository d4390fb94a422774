// Authorization servers: built from config, one metadata Partner per server (createMetadataPartner, so keys are
// fetched, refreshed and cached exactly like a partner's), indexed by issuer id for the inbound path, with the
// issuance endpoint the outbound path obtains tokens from. A reload hands keys and endpoint to the successor.
import { readFileSync } from 'node:fs'
import type { AuthorizationServerConfig, GatewayConfig, PartnerConfig } from '../schema/index.js'
import { silentLogger, type Logger } from '../log/index.js'
import {
  createMetadataPartner,
  fetchMetadataDocument,
  parseMetadataDocument,
  type FetchDocument,
  type PartnerEvents,
  type PartnerIdentity,
  type SnapshotStore,
} from '../partners/index.js'
import type { AuthorizationServer, AuthorizationServers, AuthorizationServerSeed } from './types.js'

export interface AuthorizationServersDeps {
  metadata: GatewayConfig['metadata']
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number
  /** Default fetchMetadataDocument. */
  fetchDocument?: FetchDocument
  /** Default silentLogger. */
  log?: Logger
  /** [0, 1) source for refresh jitter. Default Math.random. */
  random?: () => number
  /** Reads tls.caFile. Default fs.readFileSync(path, 'utf8'). */
  readFile?: (path: string) => string
  /** The set this one replaces (reload): servers with an unchanged metadata source keep keys and endpoint. */
  previous?: AuthorizationServers
  /** metadata.cacheDir's store: each server's document is saved and restored like a partner's. */
  snapshots?: SnapshotStore
  /** Metric hooks of each server's metadata (fetches counted under the server's name, like a partner's). */
  events?: PartnerEvents
}

const sameSource = (a: AuthorizationServerConfig, b: AuthorizationServerConfig): boolean =>
  JSON.stringify([a.metadataUrl, a.allowHttp, a.tls]) === JSON.stringify([b.metadataUrl, b.allowHttp, b.tls])

const sameIdentity = (a: PartnerIdentity, b: PartnerIdentity): boolean => a.id === b.id && a.realm === b.realm

/** Every log line of a server's metadata names it as such. */
function tagged(log: Logger, name: string): Logger {
  const tag = (obj: object): object => ({ ...obj, authorizationServer: name })
  return {
    debug: (obj, msg) => log.debug(tag(obj), msg),
    info: (obj, msg) => log.info(tag(obj), msg),
    warn: (obj, msg) => log.warn(tag(obj), msg),
    error: (obj, msg) => log.error(tag(obj), msg),
  }
}

function createServer(config: AuthorizationServerConfig, deps: AuthorizationServersDeps): AuthorizationServer {
  const readText = deps.readFile ?? ((path: string) => readFileSync(path, 'utf8'))
  const caPem = config.tls.caFile === undefined ? undefined : readText(config.tls.caFile)
  const previous = deps.previous?.get(config.name)
  const seed = previous !== undefined && sameSource(previous.config, config) ? previous.handOver() : undefined
  // The partner rules apply to the server's document; trust level and SIDs are never read for a server.
  const asPartner: PartnerConfig = { name: config.name, metadataUrl: config.metadataUrl, allowHttp: config.allowHttp, tls: config.tls, trustLevel: 'application', acceptSid: false }
  let observed: { identity: PartnerIdentity; endpoint: string | undefined } | undefined
  const base = deps.fetchDocument ?? fetchMetadataDocument
  // The document the metadata partner is about to judge: remember its issuance endpoint when its identity is the
  // one accepted (or none is yet). A document parse refuses is not remembered; nor is one naming another issuer.
  const remember = (doc: unknown): void => {
    try {
      const parsed = parseMetadataDocument(doc)
      const accepted = metadata.identity()
      if (accepted === undefined || sameIdentity(accepted, parsed.identity)) observed = { identity: parsed.identity, endpoint: parsed.issuanceEndpoint }
    } catch {
      // metadata-load.ts refuses it too, with its reason
    }
  }
  const observe: FetchDocument = async (url, options, purpose) => {
    const doc = await (purpose === undefined ? base(url, options) : base(url, options, purpose))
    remember(doc)
    return doc
  }
  const metadata = createMetadataPartner(asPartner, {
    metadata: deps.metadata,
    now: deps.now ?? Date.now,
    log: tagged(deps.log ?? silentLogger, config.name),
    fetchDocument: observe,
    ...(deps.random === undefined ? {} : { random: deps.random }),
    ...(deps.events === undefined ? {} : { events: deps.events }),
    ...(caPem === undefined ? {} : { caPem }),
    ...(seed?.metadata === undefined ? {} : { seed: seed.metadata }),
    ...(deps.snapshots === undefined ? {} : { snapshots: { store: deps.snapshots, kind: 'authorization-server' as const, onRestore: remember } }),
  })
  const issuanceEndpoint = (): string | undefined => {
    const accepted = metadata.identity()
    if (accepted === undefined) return undefined
    if (observed !== undefined) return sameIdentity(observed.identity, accepted) ? observed.endpoint : undefined
    return seed?.issuanceEndpoint // read at each call: a fetch handed over in flight updates it (handOver below)
  }
  return {
    name: config.name,
    config,
    metadata,
    caPem,
    identity: () => metadata.identity(),
    issuer() {
      const identity = metadata.identity()
      return identity === undefined ? undefined : `${identity.id}@${identity.realm}`
    },
    issuanceEndpoint,
    handOver() {
      const handed = metadata.handOver?.()
      if (handed === undefined) return undefined
      const next: AuthorizationServerSeed = { metadata: handed, issuanceEndpoint: issuanceEndpoint() }
      const pending = handed.pending
      // A fetch in flight is observed here, not by the successor: the endpoint it brings is handed on before the
      // successor takes over its keys, so the two never disagree.
      if (pending !== undefined) {
        const settled = pending.settled.then((seedAfter) => {
          next.issuanceEndpoint = issuanceEndpoint()
          return seedAfter
        })
        handed.pending = { onDemand: pending.onDemand, settled }
      }
      return next
    },
  }
}

/** Builds servers without side effects: no fetch and no timer until loadAll() or a server's first use. */
export function createAuthorizationServers(configs: readonly AuthorizationServerConfig[], deps: AuthorizationServersDeps): AuthorizationServers {
  const servers: readonly AuthorizationServer[] = Object.freeze(configs.map((config) => createServer(config, deps)))
  const byName = new Map(servers.map((s) => [s.name, s]))
  let index = new Map<string, AuthorizationServer[]>()
  let indexed = 0
  let complete = servers.length === 0

  /** Identities only go from unknown to known: rebuild when one more is known, and stop once all are. */
  function refreshIndex(): void {
    if (complete) return
    const known = servers.filter((s) => s.identity() !== undefined)
    if (known.length === indexed) return
    const next = new Map<string, AuthorizationServer[]>()
    for (const server of known) {
      const id = server.identity()?.id ?? ''
      next.set(id, [...(next.get(id) ?? []), server])
    }
    index = next
    indexed = known.length
    complete = indexed === servers.length
  }

  return {
    all: () => servers,
    get: (name) => byName.get(name),
    byIssuerId(idLower) {
      refreshIndex()
      return index.get(idLower)
    },
    hasUnidentified() {
      refreshIndex()
      return !complete
    },
    async loadAll() {
      await Promise.allSettled(servers.map((s) => s.metadata.ensureLoaded()))
      refreshIndex()
    },
    close: () => servers.forEach((s) => s.metadata.close()),
  }
}
