// Authorization servers (issue 7, docs/PROTOCOL.md §6): the types tokens/ (inbound), outbound/ and admin/ read.
// An authorization server's metadata is held by an ordinary metadata Partner object, so its keys follow
// exactly the partner rules: single-flight fetch, refresh with jitter, on-miss refetch cooldown, last-known-good.
import type { AuthorizationServerConfig } from '../schema/index.js'
import type { Partner, PartnerIdentity, PartnerSeed } from '../partners/index.js'

/** What an authorization server's successor (after a reload with the same metadata source) starts from. */
export interface AuthorizationServerSeed {
  metadata: PartnerSeed | undefined
  /** Issuance endpoint of the last accepted document (set again when a fetch handed over in flight is done). */
  issuanceEndpoint: string | undefined
}

export interface AuthorizationServer {
  /** Config label; sent as x-s2s-issuer and used in logs. */
  readonly name: string
  readonly config: AuthorizationServerConfig
  /** Holds its metadata keys and state (identity, keys(), state(), refetchOnMiss(), lastFetch()). */
  readonly metadata: Partner
  /** Contents of tls.caFile, for the issuance endpoint. */
  readonly caPem: string | undefined
  /** Its issuer id and realm (lowercase, realm possibly "*"), once its first document was accepted. */
  identity(): PartnerIdentity | undefined
  /** `<id>@<realm>` as listed in trusted_issuers, once known. */
  issuer(): string | undefined
  /** The `issuance` endpoint (protocol OAuth2) of its accepted document, when it names one. */
  issuanceEndpoint(): string | undefined
  handOver(): AuthorizationServerSeed | undefined
}

export interface AuthorizationServers {
  all(): readonly AuthorizationServer[]
  get(name: string): AuthorizationServer | undefined
  /**
   * The servers whose issuer id is `idLower` (several tenants of one service share an id): a Map lookup once
   * every server is identified, so recognising a server's token first costs the self-issued path next to nothing.
   */
  byIssuerId(idLower: string): readonly AuthorizationServer[] | undefined
  /** True while some server's document has not been accepted yet (its issuer id is unknown). */
  hasUnidentified(): boolean
  /** Load every server's metadata (single-flight and cooldown-limited each); resolves when all settled. */
  loadAll(): Promise<void>
  close(): void
}
