// Who we trust: every registered partner, built from config, and the lookup by principal id that the token
// validator uses to pick whose keys may verify a token (docs/PROTOCOL.md §4 step 4; §7.1: no fallback).
import { readFileSync } from 'node:fs'
import type { GatewayConfig, PartnerConfig } from '../schema/index.js'
import { parseSigningCertificate } from '../certs/index.js'
import { silentLogger, type Logger } from '../log/index.js'
import type { FetchDocument } from './metadata-fetch.js'
import { createMetadataPartner, createStaticPartner } from './partner.js'
import type { PartnerEvents } from './partner-deps.js'
import type { SnapshotStore } from './snapshot.js'
import type { Partner, PartnerRegistry } from './types.js'
import type { SigningKey } from '../certs/index.js'

export interface RegistryDeps {
  metadata: GatewayConfig['metadata']
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number
  /** Default fetchMetadataDocument. */
  fetchDocument?: FetchDocument
  /** Default silentLogger. */
  log?: Logger
  events?: PartnerEvents
  /** [0, 1) source for refresh jitter. Default Math.random. */
  random?: () => number
  /** Reads certificate and CA files as text. Default fs.readFileSync(path, 'utf8'). */
  loadCertificateFile?: (path: string) => string
  /** The registry this one replaces (reload): partners with an unchanged metadata source keep their keys. */
  previous?: PartnerRegistry
  /** metadata.cacheDir's store: metadata partners save every fetched document and fall back to it at start-up. */
  snapshots?: SnapshotStore
}

/** What decides which keys a metadata partner may hold: the same source means the same keys stay valid. */
function sameKeySource(a: PartnerConfig, b: PartnerConfig): boolean {
  const source = (c: PartnerConfig) => JSON.stringify([c.metadataUrl, c.applicationId, c.realm, c.allowHttp, c.tls])
  return source(a) === source(b)
}

/** A partner's certificate or CA file could not be read or used; raised while building the registry. */
export class PartnerRegistryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PartnerRegistryError'
  }
}

/** Builds partners without side effects: no fetch and no timer until loadAll() or a partner's ensureLoaded(). */
export function createPartnerRegistry(configs: readonly PartnerConfig[], deps: RegistryDeps): PartnerRegistry {
  const now = deps.now ?? Date.now
  const log = deps.log ?? silentLogger
  const readText = deps.loadCertificateFile ?? ((path: string) => readFileSync(path, 'utf8'))
  const partners: readonly Partner[] = Object.freeze(configs.map((config) => buildPartner(config)))
  const conflicts = new Set<string>()

  function buildPartner(config: PartnerConfig): Partner {
    if (config.metadataUrl === undefined) {
      return createStaticPartner(config, loadStaticKeys(config, readText), { now, log })
    }
    const caFile = config.tls.caFile
    const caPem = caFile === undefined ? undefined : readFileFor(config, caFile, readText)
    const predecessor = deps.previous?.all().find((p) => p.name === config.name && sameKeySource(p.config, config))
    const seed = predecessor?.handOver?.()
    return createMetadataPartner(config, {
      ...(seed === undefined ? {} : { seed }),
      metadata: deps.metadata, now, log,
      ...(deps.fetchDocument === undefined ? {} : { fetchDocument: deps.fetchDocument }),
      ...(deps.events === undefined ? {} : { events: deps.events }),
      ...(deps.random === undefined ? {} : { random: deps.random }),
      ...(caPem === undefined ? {} : { caPem }),
      ...(deps.snapshots === undefined ? {} : { snapshots: { store: deps.snapshots, kind: 'partner' as const } }),
    })
  }

  /** Ids from config (static, or pinned applicationId) beat ids learned from documents; then the first registered wins. */
  function findById(idLower: string): Partner | undefined {
    const claimants = partners.filter((p) => claimedId(p) === idLower)
    if (claimants.length > 1) reportConflict(idLower, claimants)
    return claimants.find((p) => p.config.applicationId !== undefined) ?? claimants[0]
  }

  function reportConflict(id: string, claimants: readonly Partner[]): void {
    if (conflicts.has(id)) return
    conflicts.add(id)
    const winner = claimants.find((p) => p.config.applicationId !== undefined) ?? claimants[0]
    log.error({ id, partners: claimants.map((p) => p.name), using: winner?.name }, 'several partners claim the same principal id')
  }

  function scanConflicts(): void {
    const ids = new Set(partners.map(claimedId).filter((id) => id !== undefined))
    for (const id of ids) findById(id)
  }

  // Identities only go from unknown to known, so a partner leaves this list for good.
  let waiting = partners.filter((p) => p.config.metadataUrl !== undefined && p.identity() === undefined)

  scanConflicts()
  return {
    findById,
    hasUnidentifiedPartners: () =>
      partners.some((p) => p.config.metadataUrl !== undefined && p.config.applicationId === undefined && p.identity() === undefined),
    hasUnknownIdentities() {
      if (waiting.length > 0) waiting = waiting.filter((p) => p.identity() === undefined)
      return waiting.length > 0
    },
    async loadAll() {
      await Promise.allSettled(partners.map((p) => p.ensureLoaded()))
      scanConflicts()
    },
    all: () => partners,
    close: () => partners.forEach((p) => p.close()),
  }
}

/**
 * The principal id a partner answers to: from config when given, else from its accepted document. A partner
 * reached through an authorization server signs nothing itself, so it answers to no self-issued token (issue 7).
 */
function claimedId(partner: Partner): string | undefined {
  if (partner.config.authorizationServer !== undefined) return undefined
  return partner.config.applicationId?.toLowerCase() ?? partner.identity()?.id
}

function loadStaticKeys(config: PartnerConfig, readText: (path: string) => string): SigningKey[] {
  return (config.certificates ?? []).map((path) => {
    try {
      return parseSigningCertificate(readFileFor(config, path, readText))
    } catch (cause) {
      if (cause instanceof PartnerRegistryError) throw cause
      throw new PartnerRegistryError(`partner ${config.name}: ${path}: ${(cause as Error).message}`, { cause })
    }
  })
}

function readFileFor(config: PartnerConfig, path: string, readText: (path: string) => string): string {
  try {
    return readText(path)
  } catch (cause) {
    throw new PartnerRegistryError(`partner ${config.name}: cannot read ${path}`, { cause })
  }
}
