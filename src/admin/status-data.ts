// Admin: the data behind GET /status and /status.json: who we are, our certificates, each partner's key state
// and recent traffic. Names, URLs (without credentials or query), x5t values, counts and times only: no secrets.
import { buildInfo } from '../build-info.js'
import type { AuthorizationServer } from '../auth-servers/index.js'
import type { Partner } from '../partners/index.js'
import type { SigningKey } from '../certs/index.js'
import type { AdminRuntime } from './runtime-view.js'
import type { Activity } from './activity.js'
import { partnerHealthClass, snapshotText, type HealthClass } from './partner-health.js'
import { bucketPolicy, type PartnerLimits } from '../limits/index.js'
import type { ReloadStatus } from '../config/index.js'

const DAY_MS = 86_400_000
/** Certificates closer than this to notAfter are shown as expiring (the alert threshold in deploy/). */
export const EXPIRY_WARNING_DAYS = 14

export type CertificateHealth = 'healthy' | 'expiring' | 'expired'

export interface CertificateStatus {
  x5t: string
  subject: string
  notAfter: string
  daysToExpiry: number
  health: CertificateHealth
  signing: boolean
}

export interface TrafficStatus {
  requests: number
  rejections: number
  perMinute: number[]
  rejectionsPerMinute: number[]
}

/** Key state of a partner, or of an authorization server's metadata (held by a Partner object too). */
export interface KeyStatus {
  state: string
  health: HealthClass
  /** error: the fixed reason; detail: the errno or HTTP status ("connection failed (ECONNREFUSED)", "HTTP 404"). */
  lastFetch: { at: string; ok: boolean; error: string | null; detail: string | null } | null
  keys: number
  keysAgeSec: number | null
  /** "from snapshot, age N s" while the keys were restored from metadata.cacheDir, else null. */
  source: string | null
  certificates: CertificateStatus[]
}

/** An authorization server (issue 7): its metadata keys follow the partner rules. */
export interface AuthorizationServerStatus extends KeyStatus {
  name: string
  /** `<id>@<realm>` once its document was accepted. */
  issuer: string | null
  metadataUrl: string
}

export interface PartnerStatus extends KeyStatus {
  name: string
  trustLevel: string
  registration: 'metadata' | 'certificates' | 'authorization-server'
  /** The authorization server whose tokens this partner uses, for registration 'authorization-server'. */
  authorizationServer: string | null
  metadataUrl: string | null
  /** Effective admission limits (issue 14 §1), null when the partner has none. */
  limits: { ratePerSec: number | null; burst: number | null; maxConcurrent: number | null } | null
  /** Its requests in flight to the backend now. */
  inFlight: number
  traffic: TrafficStatus
  /** Names of its permissions (issue 10); null without `permissions` (unrestricted except access.deny). */
  permissions: string[] | null
  /** Requests the access rules refused, and in shadow mode would have refused, since start. */
  accessDenied: number
  accessShadowDenied: number
}

export interface StatusReport {
  generatedAt: string
  gateway: {
    serviceId: string; name: string; realm: string; realmAliases: string[]; publicHosts: string[]; metadataUrl: string
    ready: boolean; draining: boolean; startedAt: string; uptimeSec: number; windowMinutes: number
    /** The build (issue 15): package version, commit recorded at build time, Node version. */
    version: string; commit: string; node: string
  }
  config: { loadedAt: string; successes: number; failures: number; lastReload: { at: string; trigger: string; result: string; problems: number } | null }
  certificates: CertificateStatus[]
  partners: PartnerStatus[]
  authorizationServers: AuthorizationServerStatus[]
  traffic: TrafficStatus
  /** Requests no registered partner could be named for (no token, unknown issuer, malformed). */
  unattributed: TrafficStatus
}

export interface StatusInputs {
  runtime: AdminRuntime
  activity: Activity
  reloads: ReloadStatus
  ready: boolean
  draining: boolean
  startedAt: number
  now: number
  /** Requests of a partner in flight to the backend (the limiter's count). */
  inFlight?: (partner: string) => number
  /** Access denials per partner (metrics); absent: shown as 0. */
  accessDenials?: (partner: string) => { deny: number; shadowDeny: number }
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** Scheme, host and path only: userinfo and query strings can carry credentials. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(unparseable URL)'
  }
}

export function certificateStatus(key: SigningKey, now: number, signing = false): CertificateStatus {
  const days = Math.floor((key.notAfter - now) / DAY_MS)
  const health: CertificateHealth = key.notAfter <= now ? 'expired' : days < EXPIRY_WARNING_DAYS ? 'expiring' : 'healthy'
  return { x5t: key.x5t, subject: key.subject, notAfter: iso(key.notAfter), daysToExpiry: days, health, signing }
}

export function trafficOf(activity: Activity, key: string): TrafficStatus {
  const { perMinute, total } = activity.summary(key)
  return { ...total, perMinute: perMinute.map((m) => m.requests), rejectionsPerMinute: perMinute.map((m) => m.rejections) }
}

function keyStatus(partner: Partner, now: number): KeyStatus {
  const keys = partner.keys()
  const last = partner.lastFetch()
  const state = partner.state()
  return {
    state,
    health: partnerHealthClass(state),
    lastFetch: last === undefined ? null : { at: iso(last.at), ok: last.ok, error: last.error ?? null, detail: last.detail ?? null },
    keys: keys?.all.length ?? 0,
    keysAgeSec: keys === undefined ? null : Math.max(0, Math.round((now - keys.loadedAt) / 1000)),
    source: state === 'snapshot' && keys !== undefined ? snapshotText(now - keys.loadedAt) : null,
    certificates: (keys?.all ?? []).map((key) => certificateStatus(key, now)),
  }
}

function limitsStatus(limits: PartnerLimits | undefined): PartnerStatus['limits'] {
  if (limits === undefined) return null
  const policy = bucketPolicy(limits)
  return { ratePerSec: policy?.ratePerSec ?? null, burst: policy?.burst ?? null, maxConcurrent: limits.maxConcurrent ?? null }
}

function partnerStatus(partner: Partner, inputs: StatusInputs): PartnerStatus {
  const url = partner.config.metadataUrl
  const server = partner.config.authorizationServer
  const viaServer = server === undefined ? undefined : inputs.runtime.authorizationServers.get(server)
  // A partner reached through an authorization server holds no keys of its own: it shows the server's health.
  const keys = keyStatus(viaServer?.metadata ?? partner, inputs.now)
  const denials = inputs.accessDenials?.(partner.name)
  return {
    name: partner.name,
    trustLevel: partner.trustLevel,
    registration: server !== undefined ? 'authorization-server' : url === undefined ? 'certificates' : 'metadata',
    authorizationServer: server ?? null,
    metadataUrl: url === undefined ? null : displayUrl(url),
    ...keys,
    ...(viaServer === undefined ? {} : { keys: 0, keysAgeSec: null, source: null, certificates: [] }),
    limits: limitsStatus(inputs.runtime.limits.get(partner.name)),
    inFlight: inputs.inFlight?.(partner.name) ?? 0,
    traffic: trafficOf(inputs.activity, partner.name),
    permissions: partner.config.permissions?.map((p) => p.name) ?? null,
    accessDenied: denials?.deny ?? 0,
    accessShadowDenied: denials?.shadowDeny ?? 0,
  }
}

function serverStatus(server: AuthorizationServer, now: number): AuthorizationServerStatus {
  return { name: server.name, issuer: server.issuer() ?? null, metadataUrl: displayUrl(server.config.metadataUrl), ...keyStatus(server.metadata, now) }
}

export function buildStatusReport(inputs: StatusInputs): StatusReport {
  const { runtime, now, reloads } = inputs
  const { service } = runtime.config
  const signingX5t = runtime.issuer.signingKey.x5t
  const own = [runtime.issuer.signingKey, ...runtime.issuer.published.filter((k) => k.x5t !== signingX5t)]
  const partners = runtime.registry.all().map((p) => partnerStatus(p, inputs))
  const last = reloads.last
  return {
    generatedAt: iso(now),
    gateway: {
      serviceId: service.id, name: service.name, realm: service.realm, realmAliases: [...service.realmAliases],
      publicHosts: [...service.publicHosts], metadataUrl: displayUrl(service.metadataUrl),
      ready: inputs.ready, draining: inputs.draining, startedAt: iso(inputs.startedAt),
      uptimeSec: Math.max(0, Math.round((now - inputs.startedAt) / 1000)), windowMinutes: inputs.activity.minutes,
      ...buildInfo(),
    },
    config: {
      loadedAt: iso(reloads.loadedAt), successes: reloads.successes, failures: reloads.failures,
      lastReload: last === undefined ? null : { at: iso(last.at), trigger: last.trigger, result: last.result, problems: last.problems },
    },
    certificates: own.map((key) => certificateStatus(key, now, key.x5t === signingX5t)),
    partners,
    authorizationServers: runtime.authorizationServers.all().map((s) => serverStatus(s, now)),
    traffic: trafficOf(inputs.activity, '*'),
    unattributed: trafficOf(inputs.activity, 'unknown'),
  }
}
