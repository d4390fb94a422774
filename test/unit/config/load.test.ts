import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { ConfigError, loadConfigObject } from '../../../src/config/index.js'
import { DEFAULTS } from '../../../src/schema/index.js'
import { HR_ADDIN_ID, SERVICE_ID, makeTempDir, problemsOf, validRaw, writeCertFiles, type CertFiles } from './fixtures.js'

const temp = makeTempDir()
const dir = temp.dir
let gateway: CertFiles
let partner: CertFiles
let other: CertFiles

beforeAll(async () => {
  ;[gateway, partner, other] = await Promise.all([
    writeCertFiles(dir, 'gateway'),
    writeCertFiles(dir, 'partner'),
    writeCertFiles(dir, 'other'),
  ])
})
afterAll(temp.remove)

describe('loadConfigObject: a valid configuration', () => {
  it('fills every default and keeps what the file says', () => {
    const { config } = loadConfigObject(validRaw(), { baseDir: dir })
    expect(config.tokens).toEqual({ clockSkewSec: 300, maxLifetimeSec: 90_000, maxTokenBytes: 8192, cacheMaxEntries: 10_000 })
    expect(config.metadata).toEqual({ refreshIntervalSec: 3600, refreshJitterPercent: 10, firstRetryMs: 30_000, refetchCooldownSec: 60, maxStaleSec: 604_800, timeoutMs: 5000, maxBytes: 1_048_576 })
    expect(config.upstream).toEqual({ url: 'http://127.0.0.1:8080', timeoutMs: 30_000, forwardAuthorization: false, maxSockets: 256, maxIdleSockets: 64, idleTimeoutMs: 4_000, websockets: true, websocketIdleSec: 600 })
    expect(config.challenge.listTrustedIssuers).toBe(true)
    expect(config.shutdown.drainTimeoutMs).toBe(10_000)
    expect(config.logging.level).toBe('info')
    expect(config.listen.inbound).toEqual({ host: '127.0.0.1', port: 0, maxConnections: 4096 })
    expect(config.service.name).toBe('s2s-gateway')
    expect(config.service.metadataUrl).toBe('https://gw.contoso.com/metadata/json/1')
    expect(config.trustedProxies).toEqual([])
    expect(config.publicPaths).toEqual([])
  })

  it('gives partners the secure defaults: application trust, no SID, no http, verified TLS', () => {
    const { config } = loadConfigObject(validRaw(), { baseDir: dir })
    expect(config.partners[1]).toEqual({
      name: 'hr-addin',
      applicationId: HR_ADDIN_ID,
      realm: 'contoso.com',
      certificates: [partner.cert],
      trustLevel: 'application',
      acceptSid: false,
      allowHttp: false,
      tls: { insecureSkipVerify: false },
    })
    expect(config.partners[0]?.trustLevel).toBe('full')
  })

  it('uses the listen defaults 0.0.0.0:8443 and 127.0.0.1:9464 when listen is absent, and warns about no tls', () => {
    const raw = validRaw()
    delete raw.listen
    const { config, warnings } = loadConfigObject(raw, { baseDir: dir })
    expect(config.listen).toEqual({ inbound: { host: '0.0.0.0', port: 8443, maxConnections: 4096 }, admin: { host: '127.0.0.1', port: 9464, maxConnections: 64 } })
    expect(config.listen).toEqual(DEFAULTS.listen)
    expect(warnings.some((w) => w.startsWith('listen.inbound: listens on 0.0.0.0 without tls'))).toBe(true)
  })

  it('resolves relative paths against baseDir and keeps absolute ones', () => {
    const raw = validRaw()
    raw.issuer.certificates = [{ cert: 'gateway.pem', key: gateway.key }]
    const { config } = loadConfigObject(raw, { baseDir: dir })
    expect(config.issuer.certificates).toEqual([{ cert: join(dir, 'gateway.pem'), key: gateway.key }])
    expect(config.issuer.certificates[0]?.cert).toBe(gateway.cert)
  })

  it('stores ids and realms lowercase', () => {
    const raw = validRaw()
    raw.service.id = SERVICE_ID.toUpperCase()
    raw.service.realm = 'Contoso.COM'
    raw.service.realmAliases = ['SIP.Contoso.com']
    raw.partners[1].applicationId = HR_ADDIN_ID.toUpperCase()
    raw.partners[1].realm = 'CONTOSO.com'
    const { config } = loadConfigObject(raw, { baseDir: dir })
    expect(config.service).toMatchObject({ id: SERVICE_ID, realm: 'contoso.com', realmAliases: ['sip.contoso.com'] })
    expect(config.partners[1]).toMatchObject({ applicationId: HR_ADDIN_ID, realm: 'contoso.com' })
  })

  it('returns a deep-frozen result', () => {
    const { config } = loadConfigObject(validRaw(), { baseDir: dir })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.partners[0]?.tls)).toBe(true)
    expect(Object.isFrozen(config.service.publicHosts)).toBe(true)
    expect(() => {
      ;(config.tokens as { clockSkewSec: number }).clockSkewSec = 1
    }).toThrow(TypeError)
  })
})

describe('loadConfigObject: every problem, with its path', () => {
  type Patch = (raw: Record<string, any>) => void
  it.each<[string, Patch, string, string]>([
    ['an unknown key, with a hint', (r) => (r.tokens = { clockSkew: 10 }), 'tokens.clockSkew', 'unknown key (did you mean clockSkewSec?)'],
    ['an unknown top-level key', (r) => (r.partner = []), 'partner', 'unknown key (did you mean partners?)'],
    ['a string where a number belongs', (r) => (r.listen.inbound.port = '8443'), 'listen.inbound.port', 'must be an integer'],
    ['a fractional number', (r) => (r.upstream.timeoutMs = 1.5), 'upstream.timeoutMs', 'must be an integer'],
    ['a port out of range', (r) => (r.listen.admin.port = 70_000), 'listen.admin.port', 'must be between 0 and 65535'],
    ['the admin listener on the inbound port', (r) => (r.listen = { inbound: { host: '0.0.0.0', port: 8443 }, admin: { host: '127.0.0.1', port: 8443 } }), 'listen.admin.port', '8443 is also the port of listen.inbound'],
    ['a zero duration', (r) => (r.upstream.timeoutMs = 0), 'upstream.timeoutMs', 'must be between 1 and 2147483647'],
    ['a negative cache size', (r) => (r.tokens = { cacheMaxEntries: -1 }), 'tokens.cacheMaxEntries', 'must be at least 0'],
    ['a token cap below 1024', (r) => (r.tokens = { maxTokenBytes: 512 }), 'tokens.maxTokenBytes', 'must be between 1024 and 16384'],
    ['a token cap above 16384', (r) => (r.tokens = { maxTokenBytes: 32_768 }), 'tokens.maxTokenBytes', 'must be between 1024 and 16384'],
    ['a boolean as text', (r) => (r.challenge = { listTrustedIssuers: 'yes' }), 'challenge.listTrustedIssuers', 'must be true or false'],
    ['an unknown log level', (r) => (r.logging = { level: 'loud' }), 'logging.level', 'must be one of fatal, error, warn, info, debug, trace, silent'],
    ['a scalar where a mapping belongs', (r) => (r.listen = 8443), 'listen', 'must be a mapping'],
    ['a missing service.id', (r) => delete r.service.id, 'service.id', 'is required'],
    ['a service.id that is no GUID', (r) => (r.service.id = 'gateway'), 'service.id', 'must be a GUID, e.g. 5f1c9a3e-7b2d-4c8e-9f10-112233445566'],
    ['a missing realm', (r) => delete r.service.realm, 'service.realm', 'is required'],
    ['an empty realm', (r) => (r.service.realm = ''), 'service.realm', 'must not be empty'],
    ['a realm with a space', (r) => (r.service.realm = 'contoso com'), 'service.realm', 'a realm must not contain whitespace'],
    ['a realm with @', (r) => (r.service.realm = 'a@contoso.com'), 'service.realm', "a realm must not contain '@'"],
    ['a wildcard as our realm', (r) => (r.service.realm = '*'), 'service.realm', 'must be a concrete realm, not "*"'],
    ['a bad realm alias', (r) => (r.service.realmAliases = ['ok.com', 'sip contoso']), 'service.realmAliases[1]', 'a realm must not contain whitespace'],
    ['no public hosts', (r) => (r.service.publicHosts = []), 'service.publicHosts', 'must list at least one entry'],
    ['a public host with a scheme', (r) => (r.service.publicHosts = ['https://gw.contoso.com']), 'service.publicHosts[0]', 'must be host[:port], without a scheme'],
    ['a public host list as a string', (r) => (r.service.publicHosts = 'gw.contoso.com'), 'service.publicHosts', 'must be a list of strings'],
    ['a metadata URL with a fragment', (r) => (r.service.metadataUrl = 'https://gw.contoso.com/metadata/json/1#x'), 'service.metadataUrl', 'must not contain a fragment'],
    ['a missing upstream', (r) => delete r.upstream, 'upstream.url', 'is required (unless listen.forwardAuth is set)'],
    ['a burst without a rate', (r) => (r.limits = { burst: 10 }), 'limits.burst', 'needs limits.ratePerSec (the bucket has nothing to refill it)'],
    ['a partner burst without any rate', (r) => (r.partners[0].limits = { burst: 10 }), 'partners[0].limits.burst', 'needs a ratePerSec (its own or limits.ratePerSec)'],
    ['a zero rate', (r) => (r.limits = { ratePerSec: 0 }), 'limits.ratePerSec', 'must be between 1 and 1000000'],
    ['a metadata.cacheDir that is a file', (r) => (r.metadata = { cacheDir: 'gateway.pem' }), 'metadata.cacheDir', `${join(dir, 'gateway.pem')} is not a directory`],
    ['an ftp upstream', (r) => (r.upstream.url = 'ftp://backend'), 'upstream.url', 'must be an http or https URL'],
    ['an upstream with credentials', (r) => (r.upstream.url = 'http://u:p@backend'), 'upstream.url', 'must not contain credentials'],
    ['an upstream that is not a URL', (r) => (r.upstream.url = 'backend:8080/x y'), 'upstream.url', 'must be an http or https URL'],
    ['a CIDR prefix too long', (r) => (r.trustedProxies = ['10.0.0.0/8', '10.0.0.0/33']), 'trustedProxies[1]', 'has an invalid prefix length (0-32)'],
    ['a proxy that is no address', (r) => (r.trustedProxies = ['proxy.local']), 'trustedProxies[0]', 'must be an IP address or CIDR (10.0.0.0/8, fd00::/8)'],
    ['a public path without /', (r) => (r.publicPaths = ['health']), 'publicPaths[0]', "must start with '/'"],
    ['a public path with a query', (r) => (r.publicPaths = ['/a?b=1']), 'publicPaths[0]', "must not contain '?' or '#' (paths are matched without query)"],
    ['a public path with an encoded slash', (r) => (r.publicPaths = ['/a%2Fb']), 'publicPaths[0]', "must not contain an encoded '/', '\\', '.' or NUL"],
    ['a public path with a dot segment', (r) => (r.publicPaths = ['/a/../b']), 'publicPaths[0]', "must not contain '.' or '..' segments"],
    ['a public path with //', (r) => (r.publicPaths = ['/a//b']), 'publicPaths[0]', "must not contain '//'"],
    ['no issuer certificates', (r) => (r.issuer.certificates = []), 'issuer.certificates', 'must list at least one entry'],
    ['no issuer section', (r) => delete r.issuer, 'issuer.certificates', 'is required'],
    ['a first issuer certificate without key', (r) => (r.issuer.certificates = [{ cert: 'gateway.pem' }]), 'issuer.certificates[0].key', 'is required: the first certificate signs our tokens'],
    ['an invalid partner name', (r) => (r.partners[0].name = 'Exchange Server'), 'partners[0].name', 'must be 1-63 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit'],
    ['a partner name the metrics reserve', (r) => (r.partners[0].name = 'inbound-tls'), 'partners[0].name', '"inbound-tls" is reserved: metrics use it for the inbound listener\'s TLS certificate'],
    ['a partner named unknown', (r) => (r.partners[0].name = 'unknown'), 'partners[0].name', '"unknown" is reserved: metrics use it for unidentified callers'],
    ['a repeated partner name', (r) => (r.partners[1].name = 'exchange'), 'partners[1].name', 'repeats the name of partners[0]'],
    ['an unknown trust level', (r) => (r.partners[0].trustLevel = 'admin'), 'partners[0].trustLevel', 'must be one of full, application'],
    ['an http metadata URL', (r) => (r.partners[0].metadataUrl = 'http://autodiscover.contoso.com/metadata/json/1'), 'partners[0].metadataUrl', 'must be https (or set allowHttp for a loopback host)'],
    ['allowHttp for a remote host', (r) => Object.assign(r.partners[0], { metadataUrl: 'http://10.1.2.3/metadata/json/1', allowHttp: true }), 'partners[0].metadataUrl', 'may be http only for a loopback host (127.0.0.0/8, ::1, localhost)'],
    ['a metadata URL that is no URL', (r) => (r.partners[0].metadataUrl = 'autodiscover.contoso.com'), 'partners[0].metadataUrl', 'must be an absolute https URL'],
    ['both sources', (r) => (r.partners[1].metadataUrl = 'https://hr.contoso.com/metadata/json/1'), 'partners[1]', 'give exactly one of metadataUrl, certificates or authorizationServer, not metadataUrl and certificates'],
    ['no source', (r) => delete r.partners[0].metadataUrl, 'partners[0]', 'needs a metadataUrl, certificates or authorizationServer'],
    ['certificates without applicationId', (r) => delete r.partners[1].applicationId, 'partners[1].applicationId', 'is required when certificates are given'],
    ['certificates without realm', (r) => delete r.partners[1].realm, 'partners[1].realm', 'is required when certificates are given'],
    ['an empty certificate list', (r) => (r.partners[1].certificates = []), 'partners[1].certificates', 'must list at least one entry'],
    ['an application id with /', (r) => (r.partners[1].applicationId = 'a/b'), 'partners[1].applicationId', "an application id must not contain '/'"],
    ['an application id with a space', (r) => (r.partners[1].applicationId = 'a b'), 'partners[1].applicationId', 'an application id must not contain whitespace'],
    ['a repeated application id (any case)', (r) => (r.partners[0].applicationId = HR_ADDIN_ID.toUpperCase()), 'partners[1].applicationId', 'is also the applicationId of partners[0]'],
    ['our own id as a partner', (r) => (r.partners[1].applicationId = SERVICE_ID), 'partners[1].applicationId', 'is our own service.id: the gateway accepts no token from itself'],
    ['a partner realm with a comma', (r) => (r.partners[1].realm = 'a,b'), 'partners[1].realm', `a realm must not contain ',' (or be "*")`],
    ['a partner that is no mapping', (r) => (r.partners = ['exchange']), 'partners[0]', 'must be a mapping'],
    ['a partner list that is no list', (r) => (r.partners = { name: 'exchange' }), 'partners', 'must be a list of mappings'],
    ['an issuer certificate given as a string', (r) => (r.issuer.certificates = 'gateway.pem'), 'issuer.certificates', 'must be a list of mappings'],
    ['a partner tls with an unknown key', (r) => (r.partners[0].tls = { verify: false }), 'partners[0].tls.verify', 'unknown key'],
  ])('reports %s', (_label, patch, path, message) => {
    const raw = validRaw()
    patch(raw)
    expect(problemsOf(raw, dir)).toEqual([{ path, message }])
  })

  it.each<[string, (raw: Record<string, any>) => void, string, RegExp]>([
    ['a missing issuer certificate file', (r) => (r.issuer.certificates[0].cert = 'missing.pem'), 'issuer.certificates[0].cert', /^cannot read .*missing\.pem: no such file$/],
    ['a key that belongs to another certificate', (r) => (r.issuer.certificates[0].key = 'other.key'), 'issuer.certificates[0].key', /other\.key does not belong to the certificate in .*gateway\.pem$/],
    ['a key file that is no key', (r) => (r.issuer.certificates[0].key = 'gateway.pem'), 'issuer.certificates[0].key', /gateway\.pem is not a valid private key$/],
    ['a certificate file that is no certificate', (r) => (r.issuer.certificates[0].cert = 'gateway.key'), 'issuer.certificates[0].cert', /gateway\.key is not a usable certificate: /],
    ['a missing partner certificate', (r) => (r.partners[1].certificates = ['nope.pem']), 'partners[1].certificates[0]', /^cannot read .*nope\.pem: no such file$/],
    ["our own certificate registered for a partner", (r) => (r.partners[1].certificates = ['gateway.pem']), 'partners[1].certificates[0]', /gateway\.pem is the gateway's own issuer certificate/],
    ['a missing CA bundle', (r) => (r.partners[0].tls = { caFile: 'ca.pem' }), 'partners[0].tls.caFile', /^cannot read .*ca\.pem: no such file$/],
    ['a CA bundle that is no PEM', (r) => (r.partners[0].tls = { caFile: 'gateway.key' }), 'partners[0].tls.caFile', /is not a PEM certificate bundle$/],
    ['missing inbound TLS files', (r) => (r.listen.inbound.tls = { cert: 'tls.pem', key: 'gateway.key' }), 'listen.inbound.tls.cert', /^cannot read .*tls\.pem: no such file$/],
  ])('reports %s', (_label, patch, path, message) => {
    const raw = validRaw()
    patch(raw)
    const problems = problemsOf(raw, dir)
    expect(problems).toHaveLength(1)
    expect(problems[0]?.path).toBe(path)
    expect(problems[0]?.message).toMatch(message)
  })

  it('reports every problem of a file together, in document order, one line each in the message', () => {
    const raw = validRaw()
    raw.service.id = 'nope'
    raw.tokens = { maxTokenBytes: 1, clockSkew: 3 }
    raw.upstream.url = 'ftp://x'
    raw.partners[0].metadataUrl = 'http://remote.example/metadata/json/1'
    raw.partners[1].certificates = ['missing.pem']
    let error: unknown
    try {
      loadConfigObject(raw, { baseDir: dir })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems.map((p) => p.path)).toEqual([
      'service.id',
      'upstream.url',
      'tokens.clockSkew',
      'tokens.maxTokenBytes',
      'partners[0].metadataUrl',
      'partners[1].certificates[0]',
    ])
    expect((error as ConfigError).message.split('\n')).toHaveLength(6)
    expect((error as ConfigError).message).toContain('partners[0].metadataUrl: must be https (or set allowHttp for a loopback host)')
  })

  it('refuses a configuration that is not a mapping', () => {
    expect(problemsOf(['service'], dir)).toEqual([{ path: '', message: 'the configuration must be a YAML mapping' }])
  })

  it('reports every required key of an empty file', () => {
    expect(problemsOf(null, dir).map((p) => p.path)).toEqual(['service.id', 'service.realm', 'service.publicHosts', 'upstream.url', 'issuer.certificates'])
  })
})
