// The shape of a loaded, validated configuration. Produced by config/load.ts, frozen, passed down.
// Every default lives in schema/schema.ts; this file only names the shape.

export type TrustLevel = 'full' | 'application'

export interface ListenConfig {
  host: string
  port: number
  /** Open connections at most (server.maxConnections); more are closed at once. */
  maxConnections: number
}

export interface TlsFiles {
  /** Absolute path of a PEM certificate (chain) file. */
  cert: string
  /** Absolute path of a PEM private key file. */
  key: string
}

export interface PartnerTlsConfig {
  /** Absolute path of a PEM CA bundle used instead of the system CAs for the metadata URL. */
  caFile?: string
  /** Like Exchange's -TrustAnySSLCertificate. Default false; logs a warning when true. */
  insecureSkipVerify: boolean
}

/** Calls from our backend to one partner (issue 3 §1). Filled in by config/check-outbound.ts. */
export interface PartnerOutboundConfig {
  /** Base URL calls go to: https, or http for a loopback host. */
  url: string
  /** host[:port] in the aud of our tokens. Default: the url's authority (lowercase, default port dropped). */
  audienceHost: string
  /** Realm of our iss/nameid toward this partner. Default: service.realm. */
  issuerRealm: string
  /** Lifetime of minted tokens, 600-43200 s. Default 3600. */
  tokenLifetimeSec: number
  /** Accept x-s2s-act-as-* headers (user tokens). Default false. */
  actAsUsers: boolean
  /** Wait for response headers, ms. Default 30000. */
  timeoutMs: number
  /** nbf/exp as JSON numbers (default) or decimal strings. */
  dateFormat: 'number' | 'string'
  /** Absolute path of a PEM CA bundle for the url. */
  caFile?: string
}

/** A third-party token server (issue 7, docs/PROTOCOL.md §6). Checked by config/check-authorization-servers.ts. */
export interface AuthorizationServerConfig {
  /** Unique label; partners name it in `authorizationServer`; sent as x-s2s-issuer. */
  name: string
  /** Its metadata document (with an `issuance` endpoint). https, or http for loopback with allowHttp. */
  metadataUrl: string
  /** Permit http:// metadata and issuance URLs, only for loopback hosts. Default false. */
  allowHttp: boolean
  tls: PartnerTlsConfig
  /** Sent as authorization_uri in our challenge. */
  authorizationUri?: string
}

/** One entry of a partner's `permissions` (issue 10): paths, a right or methods, call type, users. */
export interface PermissionConfig {
  /** Label for logs, metrics, explain and x-s2s-permission. Default `<partner>#<index>`; unique per partner. */
  name: string
  /** Path patterns: absolute, `*` within a segment, `**` as a whole segment. At least one. */
  paths: string[]
  /** Exactly one of right and methods. */
  right?: 'read' | 'write' | 'full'
  methods?: string[]
  /** app: add-in-only calls; user: user+add-in calls; any (default). */
  calls: 'app' | 'user' | 'any'
  /** User calls only: `*@domain`, `*@*.domain` or exact addresses. Absent: any user. */
  users?: string[]
}

/** An `access.deny` entry: checked first, for every partner. */
export interface AccessDenyConfig {
  /** Default `deny#<index>`; unique. */
  name: string
  paths: string[]
  /** Absent: every method. */
  methods?: string[]
}

/** Authorization settings shared by every partner (issue 10). */
export interface AccessConfig {
  /** enforce (default) or shadow: decide, log and count, never block. */
  mode: 'enforce' | 'shadow'
  /** Compare patterns and paths ASCII-case-insensitively (IIS/Windows backends). Default false. */
  caseInsensitivePaths: boolean
  deny: AccessDenyConfig[]
}

export interface PartnerConfig {
  /** Label used in logs, headers and metrics. Unique, lowercase [a-z0-9._-]. */
  name: string
  /** Exactly one of metadataUrl, certificates or authorizationServer. */
  metadataUrl?: string
  /** Absolute paths of PEM certificates (manual registration). */
  certificates?: string[]
  /** Name of an authorizationServers entry: its tokens (not the partner's own) are accepted and obtained. */
  authorizationServer?: string
  /** Pinned (metadata) or required (certificates) principal id. Compared case-insensitively. */
  applicationId?: string
  /** Pinned (metadata) or required (certificates) realm, or "*". */
  realm?: string
  /** Default 'application' (the secure choice). */
  trustLevel: TrustLevel
  /** Forward a Windows SID nameid (nii urn:office:idp:activedirectory). Default false. */
  acceptSid: boolean
  /** Permit an http:// metadata URL, only for loopback hosts. Default false. */
  allowHttp: boolean
  tls: PartnerTlsConfig
  /** Present when the backend may call this partner through listen.outbound. */
  outbound?: PartnerOutboundConfig
  /** Absent: unrestricted (except access.deny); []: nothing at all. */
  permissions?: PermissionConfig[]
  /** Its own limits, over the top-level `limits` key by key (issue 14 §1). */
  limits?: LimitsConfig
}

/** Admission limits; an absent key is no limit of that kind. */
export interface LimitsConfig {
  ratePerSec?: number
  /** Needs ratePerSec. Default: ratePerSec. */
  burst?: number
  maxConcurrent?: number
}

export interface GatewayConfig {
  service: {
    /** Our principal id, lowercase GUID. */
    id: string
    name: string
    /** Our realm, lowercase. */
    realm: string
    realmAliases: string[]
    /** Normalised authorities: lowercase, :443/:80 removed. At least one. */
    publicHosts: string[]
    /** Canonical URL of our metadata document. Default https://<publicHosts[0]>/metadata/json/1. */
    metadataUrl: string
  }
  listen: {
    inbound: ListenConfig & { tls?: TlsFiles }
    admin: ListenConfig
    /** The outbound listener; absent: none is started. */
    outbound?: ListenConfig & {
      /** Required in x-s2s-outbound-secret when set; required off loopback. Secret: never logged. */
      sharedSecret?: string
    }
    /** The forward-auth decision listener (issue 13); absent: none is started. */
    forwardAuth?: ListenConfig
  }
  upstream: {
    /** '' when omitted with listen.forwardAuth set (forward-auth only: runtime.forwardOnly, nothing is proxied). */
    url: string
    timeoutMs: number
    /** Forward the caller's Authorization header to the backend. Default false. */
    forwardAuthorization: boolean
    /** Upper bound of sockets the keep-alive agent opens to the backend. */
    maxSockets: number
    /** Relay WebSocket upgrades (issue 14 §3). Default true. */
    websockets: boolean
    /** Idle seconds after which an upgraded connection is closed. Default 600. */
    websocketIdleSec: number
  }
  /** Limits of calls to partners through listen.outbound (issue 15); the defaults were constants before. */
  outbound: {
    maxSocketsPerPartner: number
    replayMaxBytes: number
    probeReuseMs: number
    tokenCacheMaxEntries: number
  }
  /** CIDRs whose X-Forwarded-* headers are kept (appended to). Default []. */
  trustedProxies: string[]
  /** Forward-auth decisions (issue 13). */
  forwardAuth: {
    /** CIDRs (normalised) allowed to ask the forward-auth listener. Default loopback. */
    trustedProxies: string[]
    /** Ceiling of X-Accel-Expires on an allow, seconds. Default 60. */
    maxCacheSec: number
  }
  /** Exact raw paths that skip authentication (still proxied, still stripped of identity headers). */
  publicPaths: string[]
  issuer: {
    /** The first signs, all unexpired are published. Absolute paths. */
    certificates: Array<{ cert: string; key?: string }>
  }
  tokens: {
    clockSkewSec: number
    maxLifetimeSec: number
    maxTokenBytes: number
    cacheMaxEntries: number
  }
  metadata: {
    refreshIntervalSec: number
    refetchCooldownSec: number
    maxStaleSec: number
    timeoutMs: number
    maxBytes: number
    /** Directory of last-known-good metadata snapshots (issue 14 §2); absent: keys live in memory only. */
    cacheDir?: string
  }
  /** Defaults for every partner's limits. */
  limits: LimitsConfig
  challenge: {
    listTrustedIssuers: boolean
  }
  /** Time bounds of client connections, every listener (issue 17). net/connection-guard.ts applies them. */
  connections: {
    firstByteTimeoutMs: number
    headersTimeoutMs: number
    bodyIdleTimeoutMs: number
    keepAliveTimeoutMs: number
    rejectedBodyMaxBytes: number
    rejectedBodyTimeoutMs: number
  }
  shutdown: {
    drainTimeoutMs: number
  }
  /** Request-serving processes (src/workers/): 1, a number, or 'auto' (os.availableParallelism()). Default 1. */
  workers: number | 'auto'
  admin: {
    /** Host names (lowercase, no port) accepted in Host besides IP literals and localhost. Default []. */
    allowedHosts: string[]
    /** Lets non-loopback callers POST /reload as `Authorization: Bearer <token>`. Secret: never logged or shown. */
    reloadToken?: string
  }
  logging: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
    /** Claim shown as `user` in access lines. Default 'upn' (falling back to smtp, sip, nameid). */
    userClaim: 'upn' | 'smtp' | 'sip' | 'nameid'
    /** Hash users in access lines (sha256, 16 hex). Default false. */
    redactUsers: boolean
    /** Bytes of log lines gathered before a write to stdout (at most 1 s apart); 0 writes each line at once. Default 16384. */
    bufferBytes: number
  }
  access: AccessConfig
  /** Third-party token servers. Default []. */
  authorizationServers: AuthorizationServerConfig[]
  partners: PartnerConfig[]
}
