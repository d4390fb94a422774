// Admin: the JSON schema of GET /status.json. fastify serializes with it, so a field added to StatusReport by
// mistake (a token, a key) is dropped rather than published: only what is listed here goes out.
const str = { type: 'string' } as const
const int = { type: 'integer' } as const
const bool = { type: 'boolean' } as const
const nullable = (type: string) => ({ type: [type, 'null'] }) as const
const strings = { type: 'array', items: str } as const
const ints = { type: 'array', items: int } as const
const object = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties })

const traffic = object({ requests: int, rejections: int, perMinute: ints, rejectionsPerMinute: ints })

const certificate = object({ x5t: str, subject: str, notAfter: str, daysToExpiry: int, health: str, signing: bool })

/** KeyStatus: the key columns partners and authorization servers share. */
const keyStatus = {
  state: str,
  health: str,
  lastFetch: { ...object({ at: str, ok: bool, error: nullable('string'), detail: nullable('string') }), type: ['object', 'null'] },
  keys: int,
  keysAgeSec: nullable('integer'),
  source: nullable('string'),
  certificates: { type: 'array', items: certificate },
}

const partner = object({
  name: str,
  trustLevel: str,
  registration: str,
  authorizationServer: nullable('string'),
  metadataUrl: nullable('string'),
  ...keyStatus,
  limits: { ...object({ ratePerSec: nullable('integer'), burst: nullable('integer'), maxConcurrent: nullable('integer') }), type: ['object', 'null'] },
  inFlight: int,
  traffic,
  permissions: { type: ['array', 'null'], items: str },
  accessDenied: int,
  accessShadowDenied: int,
})

const authorizationServer = object({ name: str, issuer: nullable('string'), metadataUrl: str, ...keyStatus })

export const STATUS_JSON_SCHEMA = object({
  generatedAt: str,
  gateway: object({
    serviceId: str, name: str, realm: str, realmAliases: strings, publicHosts: strings, metadataUrl: str,
    ready: bool, draining: bool, startedAt: str, uptimeSec: int, windowMinutes: int,
    version: str, commit: str, node: str,
  }),
  config: object({
    loadedAt: str, successes: int, failures: int,
    lastReload: { ...object({ at: str, trigger: str, result: str, problems: int }), type: ['object', 'null'] },
  }),
  certificates: { type: 'array', items: certificate },
  partners: { type: 'array', items: partner },
  authorizationServers: { type: 'array', items: authorizationServer },
  traffic,
  unattributed: traffic,
})
