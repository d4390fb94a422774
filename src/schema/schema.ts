// Config: every option, its default, its unit and its doc, exactly once. load.ts checks YAML against it,
// `check-config --print-defaults` and config/gateway.example.yaml are rendered from it (render.ts), and the
// configuration's types are derived from it (derive.ts, types.ts).
import type { DefaultsOf } from './derive.js'
import { deepFreeze } from './freeze.js'
import { defaultsOfSection, type IntegerOption, type Option, type SectionOption } from './options.js'

// The helpers keep the literal types of what they are given (const type parameters), so derive.ts can read
// which keys are required, defaulted or optional, and which words a string may be.
type Fields = Readonly<Record<string, Option>>
type Defaulted = IntegerOption & { default: number }

const MAX_TIMER_MS = 2_147_483_647 // setTimeout's ceiling
const port = (doc: string, value: number): Defaulted => ({ type: 'integer', default: value, min: 0, max: 65_535, doc })
const ms = (doc: string, value: number, min = 1): Defaulted => ({ type: 'integer', default: value, unit: 'ms', min, max: MAX_TIMER_MS, doc })
const sec = (doc: string, value: number, min = 1): Defaulted => ({ type: 'integer', default: value, unit: 'seconds', min, doc })
const cap = (doc: string, value: number): Defaulted => ({ type: 'integer', default: value, unit: 'connections', min: 1, doc })
/** Always present, with its defaults, whether or not the YAML gives it. */
const section = <const F extends Fields>(doc: string, fields: F): SectionOption<F> => ({ type: 'section', doc, fields })
/** Absent unless the YAML gives it (listen.inbound.tls, partners[].outbound). */
const optionalSection = <const F extends Fields>(doc: string, fields: F): SectionOption<F> & { optional: true } =>
  ({ type: 'section', doc, fields, optional: true })

/** Per-partner admission limits (issue 14 §1); every key optional: an absent key is no limit of that kind. */
const LIMITS_FIELDS = {
  ratePerSec: { type: 'integer', unit: 'requests/s', min: 1, max: 1_000_000, doc: 'Token bucket refill: requests admitted per second, on average' },
  // Not setByCheck: an absent burst stays absent, and limits/limiter.ts computes it where the rate is known.
  burst: { type: 'integer', unit: 'requests', min: 1, max: 10_000_000, defaultText: 'ratePerSec', doc: 'Bucket size: requests admitted at once after a quiet spell (needs ratePerSec)' },
  maxConcurrent: { type: 'integer', unit: 'requests', min: 1, max: 1_000_000, doc: "Requests of one partner in flight to the backend at once (forward-auth decisions are not counted)" },
} as const satisfies Fields

/** One registered partner application (docs/PROTOCOL.md §0): by metadata URL, or by application id + realm + certificates. */
export const PARTNER_SCHEMA = section('A partner application allowed to call us', {
  name: { type: 'string', required: true, doc: 'Label used in logs, headers and metrics: unique, lowercase [a-z0-9._-]; not unknown, self or inbound-tls (metric labels of their own)', example: 'exchange' },
  metadataUrl: { type: 'string', doc: 'Its metadata document (/metadata/json/1); https unless allowHttp. Exactly one of metadataUrl, certificates or authorizationServer', example: 'https://autodiscover.contoso.com/autodiscover/metadata/json/1' },
  certificates: { type: 'file[]', minItems: 1, doc: 'PEM certificates it signs with, for a partner without a metadata URL (then applicationId and realm are required)' },
  authorizationServer: { type: 'string', doc: 'Name of an authorizationServers entry: tokens from and to this partner go through that token server, like -UseOAuthServer (then applicationId and realm are required)', example: 'acs' },
  applicationId: { type: 'string', doc: 'Its principal id (the part of iss before @), stored lowercase; pins the issuer a metadata document may name' },
  realm: { type: 'string', doc: 'Its realm (the part of iss after @), or "*" to accept any of our realms; pins it for metadata partners' },
  trustLevel: { type: 'string', default: 'application', values: ['full', 'application'], doc: 'full: may act for any user of the realm; application: may only act as itself' },
  acceptSid: { type: 'boolean', default: false, doc: 'Forward a Windows SID nameid (nii urn:office:idp:activedirectory), like -AcceptSecurityIdentifierInformation' },
  allowHttp: { type: 'boolean', default: false, doc: 'Permit an http:// metadata URL; only honoured for loopback hosts (tests)' },
  tls: section('TLS for fetching metadataUrl', {
    caFile: { type: 'file', doc: 'PEM CA bundle trusted instead of the system CAs' },
    insecureSkipVerify: { type: 'boolean', default: false, doc: "Skip certificate verification, like Exchange's -TrustAnySSLCertificate (logged as a warning)" },
  }),
  outbound: optionalSection('Calls from our backend to this partner through listen.outbound, signed by our issuer (omit for inbound-only partners)', {
    url: { type: 'string', required: true, doc: 'Where calls to this partner go: https (http only for a loopback host), no credentials, query or fragment', example: 'https://mail.contoso.com' },
    audienceHost: { type: 'string', setByCheck: true, defaultText: "the url's authority", doc: 'host[:port] put in the aud of our tokens, when the partner knows itself by another name than the url' },
    issuerRealm: { type: 'string', setByCheck: true, defaultText: 'service.realm', doc: 'Realm of the iss and nameid of our tokens, when the partner registered us under another realm' },
    tokenLifetimeSec: { type: 'integer', default: 3_600, unit: 'seconds', min: 600, max: 43_200, doc: 'Lifetime of the tokens we mint for it (600-43200); each is reused until outbound.tokenRefreshBeforeExpirySec before it expires' },
    actAsUsers: { type: 'boolean', default: false, doc: 'Allow calls on behalf of a user (x-s2s-act-as-* request headers); otherwise they get 403' },
    timeoutMs: ms('How long to wait for its response headers before answering 504', 30_000),
    dateFormat: { type: 'string', default: 'number', values: ['number', 'string'], doc: 'How nbf and exp are written: JSON numbers, or decimal strings for old Exchange/Lync builds that reject numbers' },
    caFile: { type: 'file', doc: 'PEM CA bundle trusted for the url instead of the system CAs' },
  }),
  permissions: {
    type: 'table', optional: true, item: section('One permission: paths, a right or methods, call type, users', {
      name: { type: 'string', setByCheck: true, defaultText: '<partner>#<index>', doc: 'Label for logs, explain and the x-s2s-permission header: unique per partner, [A-Za-z0-9._#:-]', example: 'read-people' },
      paths: { type: 'string[]', required: true, minItems: 1, doc: 'Absolute path patterns: * within one segment, ** as a whole segment for zero or more; no %, ?, #, ;, . or .. segments', example: ['/api/people/**', '/api/org'] },
      right: { type: 'string', values: ['read', 'write', 'full'], doc: 'read: GET HEAD OPTIONS PROPFIND REPORT SEARCH; write: read + POST PUT PATCH DELETE MERGE MKCOL COPY MOVE LOCK UNLOCK PROPPATCH and WebSocket upgrades; full: any method. Exactly one of right and methods', example: 'read' },
      methods: { type: 'string[]', minItems: 1, doc: 'Methods granted instead of a right (UPGRADE for a WebSocket upgrade)' },
      calls: { type: 'string', default: 'any', values: ['app', 'user', 'any'], doc: 'app: add-in-only calls; user: user+add-in calls; any: both' },
      users: { type: 'string[]', minItems: 1, doc: 'User calls only: *@domain, *@*.domain or exact addresses; every upn, smtp, sip (and UPN nameid) claim must match one. Default: any user' },
    }),
    examples: [],
    doc: 'What this partner may call (access.deny is checked first). Absent: every path and method (check-config warns); []: nothing',
  },
  limits: optionalSection('This partner\'s limits, overriding the top-level limits key by key', LIMITS_FIELDS),
})

/** A third-party token server (ACS-style, docs/PROTOCOL.md §6) that partners with `authorizationServer` go through. */
export const AUTHORIZATION_SERVER_SCHEMA = section('A third-party authorization server both sides trust, like New-CsOAuthServer', {
  name: { type: 'string', required: true, doc: 'Label partners name in authorizationServer, sent as x-s2s-issuer: unique, lowercase [a-z0-9._-]', example: 'acs' },
  metadataUrl: { type: 'string', required: true, doc: "Its metadata document, with an issuance endpoint; https unless allowHttp. Fetched, refreshed and cached like a partner's (section metadata)", example: 'https://accounts.accesscontrol.windows.net/contoso.onmicrosoft.com/metadata/json/1' },
  allowHttp: { type: 'boolean', default: false, doc: 'Permit http:// metadata and issuance URLs; only honoured for loopback hosts (tests)' },
  tls: section('TLS for its metadata and issuance endpoints', {
    caFile: { type: 'file', doc: 'PEM CA bundle trusted instead of the system CAs' },
    insecureSkipVerify: { type: 'boolean', default: false, doc: 'Skip certificate verification (logged as a warning)' },
  }),
  authorizationUri: { type: 'string', doc: 'Sent as authorization_uri in our 401 challenge (absolute https URL); the first one configured is used', example: 'https://login.windows.net/common/oauth2/authorize' },
})

/** The whole configuration; frozen, like PARTNER_SCHEMA inside it. */
export const SCHEMA = deepFreeze(section('s2s-gateway configuration', {
  service: section('Who we are: the identity partners register, and put in the aud of their tokens', {
    id: { type: 'string', required: true, doc: 'Our principal id (metadata serviceName, challenge client_id): a GUID, emitted lowercase', example: '5f1c9a3e-7b2d-4c8e-9f10-112233445566' },
    name: { type: 'string', default: 's2s-gateway', doc: 'Display name in the metadata document', example: 'Legacy HR API' },
    realm: { type: 'string', required: true, doc: 'Our realm (challenge realm, metadata realm), stored lowercase; changing it later breaks every partner registration', example: 'contoso.com' },
    realmAliases: { type: 'string[]', default: [], doc: 'More realms accepted in aud, e.g. additional SIP domains' },
    publicHosts: { type: 'string[]', required: true, minItems: 1, doc: 'Authorities partners put in aud (host[:port]); lowercased, IDN to punycode, :443 and :80 dropped', example: ['gw.contoso.com'] },
    metadataUrl: { type: 'string', setByCheck: true, defaultText: 'https://<publicHosts[0]>/metadata/json/1', doc: 'Canonical URL of our metadata document, published in its endpoints; a warning when it lacks metadata/json/1 (Exchange recognises the document by it) or is not https' },
  }),
  listen: section('Listeners', {
    inbound: section('Where partners connect: the proxied routes and /metadata/json/1', {
      host: { type: 'string', default: '0.0.0.0', doc: 'Bind address; a non-loopback address without tls starts with a warning' },
      port: port('TCP port (0-65535); 0 picks a free one', 8443),
      maxConnections: cap('Open client connections at most; further ones are closed at once, unanswered (file descriptors stay bounded)', 4_096),
      tls: optionalSection('Serve HTTPS directly (omit when TLS is terminated in front of the gateway)', {
        cert: { type: 'file', required: true, doc: 'PEM certificate chain', example: 'certs/tls.pem' },
        key: { type: 'file', required: true, doc: 'PEM private key', example: 'certs/tls.key' },
      }),
    }),
    admin: section('Health and metrics; loopback unless you really mean otherwise', {
      host: { type: 'string', default: '127.0.0.1', doc: 'Bind address' },
      port: port('TCP port (0-65535); 0 picks a free one', 9464),
      maxConnections: cap('Open connections at most (probes, scrapes, status pages); further ones are closed at once', 64),
    }),
    outbound: optionalSection('Where our backend calls partners (<METHOD> /<partner name>/<path>); unauthenticated, so loopback unless sharedSecret is set. Omit to disable', {
      host: { type: 'string', default: '127.0.0.1', doc: 'Bind address; a non-loopback address requires sharedSecret' },
      port: port('TCP port (0-65535); 0 picks a free one', 8444),
      maxConnections: cap('Open connections from our backend at most; further ones are closed at once', 1_024),
      sharedSecret: { type: 'string', doc: 'When set, every call must carry it in x-s2s-outbound-secret (at least 16 characters); required off loopback', example: '${S2S_OUTBOUND_SECRET}' },
    }),
    forwardAuth: optionalSection('Where a reverse proxy (nginx auth_request, ingress-nginx, Envoy ext_authz, Traefik, Caddy) asks for a decision per request (section forwardAuth). Omit to disable', {
      host: { type: 'string', default: '127.0.0.1', doc: 'Bind address; only callers in forwardAuth.trustedProxies get decisions' },
      port: port('TCP port (0-65535); 0 picks a free one', 8445),
      maxConnections: cap('Open connections from proxies at most; further ones are closed at once', 1_024),
    }),
  }),
  upstream: section('The backend behind the gateway', {
    url: { type: 'string', setByCheck: true, doc: 'Base URL of the backend (http or https, no credentials). Required unless listen.forwardAuth is set; without it the inbound listener serves only /metadata/json/1', example: 'http://127.0.0.1:8080' },
    timeoutMs: ms('How long to wait for the backend before answering 504', 30_000),
    forwardAuthorization: { type: 'boolean', default: false, doc: "Pass the caller's Authorization header on to the backend" },
    maxSockets: { type: 'integer', default: 256, unit: 'sockets', min: 1, doc: 'Keep-alive connections to the backend, at most; a request finding all busy waits for one upstream.timeoutMs at most, then gets 504' },
    maxIdleSockets: { type: 'integer', default: 64, unit: 'sockets', min: 1, doc: 'Of those, idle connections kept open for the next request, at most (never more than maxSockets); the rest are closed once idle' },
    idleTimeoutMs: ms("An idle keep-alive connection to the backend is closed after this long, or 1 s before the backend's own Keep-Alive: timeout=N if that is sooner (keep it below the backend's keep-alive timeout: a connection the backend closes as a request goes out costs that request a 502 unless it is a GET, HEAD, OPTIONS or TRACE without a body, which is sent once more on a new connection)", 4_000, 500),
    websockets: { type: 'boolean', default: true, doc: 'Relay WebSocket upgrades after the same checks as any request (false: 501)' },
    websocketIdleSec: sec('An upgraded connection with no traffic either way for this long is closed', 600),
  }),
  outbound: section('Limits of the calls our backend makes to partners through listen.outbound (the partners are in partners[].outbound)', {
    maxSocketsPerPartner: { type: 'integer', default: 64, unit: 'sockets', min: 1, max: 4_096, doc: "Keep-alive connections to each partner, at most (1-4096); further calls wait for a free one, partners[].outbound.timeoutMs at most, then get 504" },
    replayMaxBytes: { type: 'integer', default: 65_536, unit: 'bytes', min: 0, max: 8_388_608, doc: 'Request bodies up to this size are held in memory so a call the partner answers with 401 can be retried once after realm discovery; larger ones are streamed and not retried (0-8388608)' },
    probeReuseMs: ms('How long one realm-discovery probe of a partner is reused before another may be sent (a partner answering 401 to everything costs one probe per window)', 10_000, 100),
    tokenCacheMaxEntries: { type: 'integer', default: 10_000, unit: 'entries', min: 1, max: 1_000_000, doc: 'Tokens we minted kept for reuse (one per partner, audience and user), least recently used dropped first (1-1000000)' },
    maxIdleSocketsPerPartner: { type: 'integer', default: 64, unit: 'sockets', min: 1, max: 4_096, doc: 'Of those, idle keep-alive connections kept open for the next call, at most (1-4096; never more than maxSocketsPerPartner); the rest are closed once idle. Below the number of calls the backend makes at once, connections are closed and opened again all the time' },
    idleTimeoutMs: ms("An idle keep-alive connection to a partner is closed after this long, or 1 s before the partner's own Keep-Alive: timeout=N if that is sooner", 4_000, 500),
    tokenRefreshBeforeExpirySec: { type: 'integer', default: 300, unit: 'seconds', min: 30, max: 599, doc: "A token for a partner (one we minted, or one an authorization server gave us) is reused until this long before it expires, then replaced (30-599: below the shortest tokenLifetimeSec, so a minted token is always reused for a while; a server's token is replaced at half its lifetime at the latest)" },
  }),
  trustedProxies: { type: 'string[]', default: [], doc: 'Addresses or CIDRs whose X-Forwarded-For/-Proto/-Host are kept and appended to' },
  forwardAuth: section('Decisions for a reverse proxy that forwards on its own (listen.forwardAuth): /auth/nginx, /auth/envoy/<path>, /auth/forward', {
    trustedProxies: { type: 'string[]', default: ['127.0.0.1/32', '::1/128'], minItems: 1, doc: 'Addresses or CIDRs allowed to ask for decisions (they set the X-Original-*/X-Forwarded-* headers a decision is made on); any other caller gets 403' },
    maxCacheSec: { type: 'integer', default: 60, unit: 'seconds', min: 0, max: 86_400, doc: 'Longest a proxy may cache an allow decision (X-Accel-Expires, never past the token\'s exp); a removed partner\'s cached decisions live this long (0: no caching)' },
  }),
  publicPaths: { type: 'string[]', default: [], doc: 'Exact raw paths proxied without authentication (/metadata/json/1 is always public)' },
  issuer: section('Our built-in token issuer: the first certificate signs, all unexpired ones are published', {
    certificates: {
      type: 'table', minItems: 1, required: true, doc: 'Signing certificates, current first; add the next one second to pre-publish it',
      item: section('A certificate and its key', {
        cert: { type: 'file', required: true, doc: 'PEM certificate (RSA, at least 2048 bits)' },
        key: { type: 'file', doc: 'PEM private key (PKCS#8 or PKCS#1); required for the first certificate' },
      }),
      examples: [{ value: { cert: 'certs/gateway.pem', key: 'certs/gateway.key' } }],
    },
  }),
  tokens: section('Inbound token checks (docs/PROTOCOL.md §4); RS256 only, not an option', {
    clockSkewSec: sec('Tolerated clock difference for nbf and exp', 300, 0),
    maxLifetimeSec: sec('Longest accepted exp - nbf span (Exchange and node-sp-auth send 24 h)', 90_000),
    maxTokenBytes: { type: 'integer', default: 8_192, unit: 'bytes', min: 1_024, max: 16_384, doc: 'Larger tokens are refused before parsing (1024-16384)' },
    cacheMaxEntries: { type: 'integer', default: 10_000, unit: 'entries', min: 0, doc: 'Verified-token cache size; 0 disables it' },
  }),
  metadata: section("Fetching partners' metadata documents", {
    refreshIntervalSec: sec('Background refresh interval, with jitter', 3_600),
    refreshJitterPercent: { type: 'integer', default: 10, unit: 'percent', min: 0, max: 50, doc: 'Each background refresh waits refreshIntervalSec plus or minus up to this share of it, at random, so partners registered together do not fetch in lockstep (0-50)' },
    firstRetryMs: ms('Wait before retrying a failed background fetch (or refreshIntervalSec, if shorter); each further failure doubles it, up to refreshIntervalSec', 30_000, 100),
    refetchCooldownSec: sec('At most one on-demand refetch (unknown x5t) per partner per window', 60),
    maxStaleSec: sec('How long last-known-good keys keep serving while refreshes fail', 604_800),
    timeoutMs: ms('Fetch timeout', 5_000),
    maxBytes: { type: 'integer', default: 1_048_576, unit: 'bytes', min: 1_024, doc: 'Largest accepted document' },
    cacheDir: { type: 'file', doc: "Directory for last-known-good snapshots of every fetched document (files 0600; a missing directory is created 0700, an existing one's mode is never changed): a partner whose first fetch after a restart fails is served from its snapshot while it is younger than maxStaleSec. The directory and each file must be owned by the gateway's user (or root) and not writable by group or others, and a file must not be a symlink, else the snapshot is refused (an existing directory that fails this is a configuration problem). Omit to keep keys in memory only. In a container, a mounted volume such as /var/lib/s2s-gateway/metadata" },
  }),
  challenge: section('The 401 WWW-Authenticate: Bearer challenge', {
    listTrustedIssuers: { type: 'boolean', default: true, doc: 'List partner issuers in trusted_issuers (needed by Exchange; tells anonymous callers who we trust)' },
  }),
  limits: section("Limits for every partner (each partner's limits override them key by key); omit for none. A refused request gets 429 and never reaches the backend", LIMITS_FIELDS),
  connections: section('Time bounds of every client connection, on each listener (inbound, admin, outbound); a connection past one is closed', {
    firstByteTimeoutMs: ms('A new connection (or TLS handshake) that sends no byte for this long is closed', 10_000),
    headersTimeoutMs: ms('The request head (line and headers) must be complete this long after its first byte', 20_000),
    bodyIdleTimeoutMs: ms('While a request body is awaited, the client may send nothing for at most this long (no bound on a body that keeps flowing)', 30_000),
    keepAliveTimeoutMs: ms('An idle keep-alive connection is closed after this long (above the 60 s idle timeout of common load balancers)', 72_000),
    rejectedBodyMaxBytes: { type: 'integer', default: 65_536, unit: 'bytes', min: 0, doc: 'A refused request (401, 403, 400 ...) whose unread body may be larger than this (or is chunked) is answered with Connection: close and closed; a smaller one is drained so the connection is kept' },
    rejectedBodyTimeoutMs: ms('How long the small unread body of a refused request may take to arrive before the connection is closed', 5_000),
  }),
  shutdown: section('Stopping', {
    drainTimeoutMs: ms('How long SIGTERM waits for in-flight requests', 10_000, 0),
  }),
  workers: { type: 'integer', default: 1, min: 1, max: 1_024, keywords: ['auto'], doc: 'Processes serving requests: 1 (one process), a number, or auto (one per core, os.availableParallelism()). Above 1, a primary forks them, serves the admin listener and fetches partner metadata once for all; caps, rate limits and token caches apply per worker' },
  admin: section('Routes of the admin listener (listen.admin): /metrics, /healthz, /readyz, /status, POST /reload', {
    reloadToken: { type: 'string', doc: 'Secret (at least 16 characters; use ${NAME}) that lets non-loopback callers POST /reload with Authorization: Bearer <token>; unset: loopback callers only' },
    allowedHosts: { type: 'string[]', default: [], doc: 'Host names (no port) the admin routes answer to, besides IP literals and localhost; any other Host gets 421, so a web page cannot read /status or /metrics through DNS rebinding', example: ['gateway-admin.internal'] },
  }),
  logging: section('Logs (pino JSON on stdout)', {
    level: { type: 'string', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], doc: 'Minimum level' },
    userClaim: { type: 'string', default: 'upn', values: ['upn', 'smtp', 'sip', 'nameid'], doc: 'User claim shown in access lines (the first of upn, smtp, sip, nameid when absent)' },
    redactUsers: { type: 'boolean', default: false, doc: 'Show users in access lines as sha256:<16 hex> (pseudonymous: stable per user) instead of the claim' },
    bufferBytes: { type: 'integer', default: 65_536, min: 0, max: 1_048_576, unit: 'bytes', doc: 'Lines are written to stdout once this many bytes wait, and at least once a second (0: every line at once); read at start-up' },
    maxPendingBytes: { type: 'integer', default: 16_777_216, min: 65_536, max: 1_073_741_824, unit: 'bytes', doc: 'Lines waiting for a stdout that does not keep up, at most (65536-1073741824); past it lines are dropped, counted, and reported in a warning once stdout takes lines again; read at start-up' },
  }),
  access: section('Authorization after authentication: partners[].permissions and rules for every partner', {
    mode: { type: 'string', default: 'enforce', values: ['enforce', 'shadow'], doc: 'shadow: decide, log (wouldDeny) and count, but block nothing, to try a policy on live traffic' },
    caseInsensitivePaths: { type: 'boolean', default: false, doc: 'Compare patterns and paths ASCII-case-insensitively: true for IIS/Windows backends' },
    deny: {
      type: 'table', doc: 'Checked first, for every authenticated request of every partner: a match is 403',
      item: section('A path denied to every partner', {
        name: { type: 'string', setByCheck: true, defaultText: 'deny#<index>', doc: 'Label for logs and explain: unique, [A-Za-z0-9._#:-]', example: 'no-admin' },
        paths: { type: 'string[]', required: true, minItems: 1, doc: 'Path patterns, as in partners[].permissions', example: ['/api/admin/**'] },
        methods: { type: 'string[]', minItems: 1, doc: 'Only these methods (UPGRADE: WebSocket upgrades). Default: every method' },
      }),
      examples: [
        { value: { name: 'no-admin', paths: ['/api/admin/**'] } },
        { value: { name: 'no-archive-delete', paths: ['/api/archive/**'], methods: ['DELETE', 'MOVE'] } },
      ],
    },
  }),
  authorizationServers: {
    type: 'table', doc: 'Third-party token servers (ACS-style) for partners that do not sign their own tokens (docs/PROTOCOL.md §6)', item: AUTHORIZATION_SERVER_SCHEMA,
    examples: [
      {
        comment: 'Like New-CsOAuthServer: its tokens are accepted only for partners that name it in authorizationServer.',
        value: { name: 'acs', metadataUrl: 'https://accounts.accesscontrol.windows.net/contoso.onmicrosoft.com/metadata/json/1', allowHttp: false, tls: { caFile: 'certs/internal-ca.pem', insecureSkipVerify: false }, authorizationUri: 'https://login.windows.net/common/oauth2/authorize' },
      },
    ],
  },
  partners: {
    type: 'table', doc: 'Partner applications allowed to call us', item: PARTNER_SCHEMA,
    examples: [
      {
        comment: 'Registered by metadata URL, like New-PartnerApplication -AuthMetadataUrl.',
        value: {
          name: 'exchange', metadataUrl: 'https://autodiscover.contoso.com/autodiscover/metadata/json/1', applicationId: '00000002-0000-0ff1-ce00-000000000000', realm: 'contoso.com', trustLevel: 'full', acceptSid: false, allowHttp: false, tls: { caFile: 'certs/internal-ca.pem', insecureSkipVerify: false },
          outbound: { url: 'https://mail.contoso.com', audienceHost: 'mail.contoso.com', issuerRealm: 'contoso.com', tokenLifetimeSec: 3600, actAsUsers: true, timeoutMs: 30000, dateFormat: 'number', caFile: 'certs/internal-ca.pem' },
          limits: { ratePerSec: 50, burst: 100, maxConcurrent: 20 },
        },
      },
      {
        comment: 'Registered without a metadata URL: application id, realm and certificate files.',
        value: {
          name: 'hr-addin', applicationId: '11111111-2222-3333-4444-555555555555', realm: 'contoso.com', certificates: ['certs/hr-addin.pem'], trustLevel: 'application',
          permissions: [
            { name: 'read-people', paths: ['/api/people/**', '/api/org'], right: 'read', calls: 'any' },
            { name: 'own-photo', paths: ['/api/people/*/photo'], methods: ['PUT', 'DELETE'], calls: 'user', users: ['*@contoso.com'] },
          ],
        },
      },
      {
        comment: 'Through an authorization server, like New-CsPartnerApplication -UseOAuthServer: app-only outbound calls carry its tokens.',
        value: { name: 'online-exchange', applicationId: '00000002-0000-0ff1-ce00-000000000000', realm: '*', authorizationServer: 'acs', trustLevel: 'full', outbound: { url: 'https://outlook.office365.com' } },
      },
    ],
  },
}))

/** Every default, nested like GatewayConfig. Options without a default (service.id, upstream.url, ...) are absent. */
export type ConfigDefaults = DefaultsOf<typeof SCHEMA>

/** The defaults every partner entry starts from. trustLevel 'application' is the secure choice. */
export type PartnerDefaults = DefaultsOf<typeof PARTNER_SCHEMA>

export const DEFAULTS: Readonly<ConfigDefaults> = deepFreeze(defaultsOfSection(SCHEMA))
export const PARTNER_DEFAULTS: Readonly<PartnerDefaults> = deepFreeze(defaultsOfSection(PARTNER_SCHEMA))
