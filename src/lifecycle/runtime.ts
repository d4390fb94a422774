// Everything built from one configuration: registry, validator, issuer keys, forwarder. A reload builds a new
// Runtime and swaps it in whole; each request pins the Runtime it started with.
import type { BlockList } from 'node:net'
import type { GatewayConfig } from '../schema/index.js'
import type { Logger } from '../log/index.js'
import { createPartnerRegistry, createSnapshotStore, type FetchDocument, type PartnerEvents } from '../partners/index.js'
import type { PartnerRegistry } from '../partners/index.js'
import { createTokenValidator, type TokenEvents, type TokenValidator } from '../tokens/index.js'
import { buildMetadataDocument, loadIssuerKeys, type IssuerKeys, type MetadataDocument } from '../issuer/index.js'
import { createChallenge, type Challenge } from '../tokens/index.js'
import { createForwarder, type ForwardEvents, type Forwarder } from '../upstream/index.js'
import { createAddressList } from '../net/index.js'
import { createOutbound, type Outbound, type OutboundEvents } from '../outbound/index.js'
import { createAuthorizationServers, type AuthorizationServers } from '../auth-servers/index.js'
import { effectiveLimits, type PartnerLimits } from '../limits/index.js'
import { loadTlsPair, type TlsPair } from '../config/index.js'
import { compilePolicy } from '../access/index.js'
import type { RuntimeHolder as InboundHolder } from '../inbound/index.js'
import type { DecisionRuntime } from '../forward-auth/index.js'
import type { OutboundRuntime } from '../outbound/index.js'
import type { AdminRuntime } from '../admin/index.js'

/**
 * One configuration's runtime. Each listener declares the part it reads (inbound/, forward-auth/, outbound/ and
 * admin/ runtime-view.ts); this interface is their union plus what only the lifecycle uses.
 */
export interface Runtime extends DecisionRuntime, OutboundRuntime, AdminRuntime {
  /** listen.inbound.tls read and checked (a reload hands it to the listener: lifecycle/build-gateway.ts), when configured. */
  readonly inboundTls: TlsPair | undefined
  /**
   * Stop the registry's timers. The forwarder is not closed here: a newer runtime may share it (same upstream),
   * so its owner (lifecycle/build-gateway.ts: reload and close) retires or closes it.
   */
  close(): void
}

/** The runtime in use: a reload swaps `current`; each request pins the one it started with. */
export type RuntimeHolder = InboundHolder<Runtime>

export interface RuntimeDeps {
  log: Logger
  now?: () => number
  /** Injected in tests (DNS failures, counting); default fetches over HTTPS. */
  fetchDocument?: FetchDocument
  partnerEvents?: PartnerEvents
  tokenEvents?: TokenEvents
  forwardEvents?: ForwardEvents
  outboundEvents?: OutboundEvents
  /** Builds the forwarder (default: http-proxy, upstream/forward.ts); bench/ plugs in a reference engine here. */
  createForwarder?: (upstream: GatewayConfig['upstream'], events: ForwardEvents | undefined) => Forwarder
  /** Reuse the previous runtime's forwarder (and its pooled sockets) when the upstream did not change. */
  previous?: Runtime
}

function sameUpstream(a: GatewayConfig['upstream'], b: GatewayConfig['upstream']): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export function createRuntime(config: GatewayConfig, deps: RuntimeDeps): Runtime {
  const now = deps.now ?? Date.now
  const cacheDir = config.metadata.cacheDir
  const snapshots = cacheDir === undefined ? undefined : createSnapshotStore(cacheDir, deps.log)
  // First: a bad certificate or key refuses the configuration before anything is built.
  const inboundTls = config.listen.inbound.tls === undefined ? undefined : loadTlsPair(config.listen.inbound.tls)
  const registry = createPartnerRegistry(config.partners, {
    metadata: config.metadata,
    now,
    log: deps.log,
    ...(deps.fetchDocument === undefined ? {} : { fetchDocument: deps.fetchDocument }),
    ...(deps.partnerEvents === undefined ? {} : { events: deps.partnerEvents }),
    ...(deps.previous === undefined ? {} : { previous: deps.previous.registry }),
    ...(snapshots === undefined ? {} : { snapshots }),
  })
  const authorizationServers = createAuthorizationServers(config.authorizationServers, {
    metadata: config.metadata,
    now,
    log: deps.log,
    ...(deps.fetchDocument === undefined ? {} : { fetchDocument: deps.fetchDocument }),
    ...(deps.previous === undefined ? {} : { previous: deps.previous.authorizationServers }),
    ...(snapshots === undefined ? {} : { snapshots }),
    ...(deps.partnerEvents === undefined ? {} : { events: deps.partnerEvents }),
  })
  if (snapshots !== undefined) {
    // A partner or server no longer configured keeps no snapshot (issue 14 §2).
    void snapshots.prune('partner', new Set(config.partners.filter((p) => p.metadataUrl !== undefined).map((p) => p.name)))
    void snapshots.prune('authorization-server', new Set(config.authorizationServers.map((s) => s.name)))
  }
  const validator = createTokenValidator({
    service: config.service,
    tokens: config.tokens,
    registry,
    authorizationServers,
    now,
    logger: deps.log,
    ...(deps.tokenEvents === undefined ? {} : { events: deps.tokenEvents }),
  })
  const issuer = loadIssuerKeys(config.issuer, now())
  const reuse = deps.previous !== undefined && sameUpstream(deps.previous.config.upstream, config.upstream)
  const makeForwarder = deps.createForwarder ?? createForwarder
  const forwarder = reuse && deps.previous !== undefined ? deps.previous.forwarder : makeForwarder(config.upstream, deps.forwardEvents)
  const runtime: Runtime = {
    config,
    registry,
    authorizationServers,
    validator,
    challenge: createChallenge(config, registry, authorizationServers),
    issuer,
    document: buildMetadataDocument(config.service, issuer.published),
    forwarder,
    trustedProxies: createAddressList(config.trustedProxies),
    anyTrustedProxy: config.trustedProxies.length > 0,
    forwardAuthProxies: createAddressList(config.forwardAuth.trustedProxies),
    forwardOnly: config.upstream.url === '',
    publicPaths: new Set(config.publicPaths),
    limits: limitsByPartner(config),
    outbound: createOutbound({
      config, signer: issuer.signer, registry, authorizationServers, log: deps.log, now,
      ...(deps.outboundEvents === undefined ? {} : { events: deps.outboundEvents }),
    }),
    inboundTls,
    access: compilePolicy(config.access, config.partners),
    close() {
      registry.close()
      authorizationServers.close()
      runtime.outbound.close()
    },
  }
  return runtime
}

/** Effective limits per partner, computed once per configuration; partners without any limit are left out. */
function limitsByPartner(config: GatewayConfig): Map<string, PartnerLimits> {
  const out = new Map<string, PartnerLimits>()
  for (const partner of config.partners) {
    const limits = effectiveLimits(config.limits, partner.limits)
    if (Object.values(limits).some((v) => v !== undefined)) out.set(partner.name, limits)
  }
  return out
}
