import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, sign, verify, X509Certificate } from 'node:crypto'
import { loadConfigObject } from '../../../src/config/index.js'
import { buildMetadataDocument, loadIssuerKeys } from '../../../src/issuer/index.js'
import { SERVICE_ID, makeTempDir, validRaw, writeCertFiles, type CertFiles } from '../config/fixtures.js'

const DAY_MS = 86_400_000
const temp = makeTempDir()
let current: CertFiles
let previous: CertFiles
let next: CertFiles
let expired: CertFiles

beforeAll(async () => {
  const now = Date.now()
  ;[current, previous, next, expired] = await Promise.all([
    writeCertFiles(temp.dir, 'gateway'),
    writeCertFiles(temp.dir, 'previous', { notBefore: new Date(now - 300 * DAY_MS), days: 320 }),
    writeCertFiles(temp.dir, 'next', { notBefore: new Date(now + 2 * DAY_MS) }),
    writeCertFiles(temp.dir, 'expired', { notBefore: new Date(now - 30 * DAY_MS), days: 3 }),
    writeCertFiles(temp.dir, 'partner'),
  ])
})
afterAll(temp.remove)

function load(patch: (raw: Record<string, any>) => void = () => {}) {
  const raw = validRaw()
  raw.service.id = SERVICE_ID.toUpperCase()
  raw.service.name = 'Legacy HR API'
  raw.service.realm = 'Contoso.com'
  raw.service.publicHosts = ['GW.Contoso.com:443', 'gw2.contoso.com:8443']
  raw.issuer.certificates = [
    { cert: 'gateway.pem', key: 'gateway.key' },
    { cert: 'next.pem' },
    { cert: 'previous.pem' },
    { cert: 'expired.pem', key: 'expired.key' },
  ]
  patch(raw)
  return loadConfigObject(raw, { baseDir: temp.dir }).config
}

describe('buildMetadataDocument', () => {
  it('has exactly the Exchange fields, in order, with lowercase identity (docs/PROTOCOL.md §1.2, §1.7)', () => {
    const config = load()
    const keys = loadIssuerKeys(config.issuer, Date.now())
    const doc = buildMetadataDocument(config.service, keys.published)
    expect(Object.keys(doc)).toEqual(['id', 'version', 'name', 'realm', 'serviceName', 'issuer', 'allowedAudiences', 'keys', 'endpoints'])
    expect(doc.id).toMatch(/^_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(doc).toMatchObject({
      version: '1.0',
      name: 'Legacy HR API',
      realm: 'contoso.com',
      serviceName: SERVICE_ID,
      issuer: `${SERVICE_ID}@contoso.com`,
      allowedAudiences: [`${SERVICE_ID}@contoso.com`],
      endpoints: [{ location: 'https://gw.contoso.com/metadata/json/1', protocol: 'OAuth2', usage: 'metadata' }],
    })
  })

  it('lists every unexpired certificate, current first, with x5t and standard base64 DER; never an expired one', () => {
    const config = load()
    const doc = buildMetadataDocument(config.service, loadIssuerKeys(config.issuer, Date.now()).published)
    const expected = [current, next, previous].map((c) => c.created.der)
    expect(doc.keys).toHaveLength(3)
    doc.keys.forEach((key, i) => {
      const der = expected[i] as Buffer
      expect(Object.keys(key)).toEqual(['usage', 'keyinfo', 'keyvalue'])
      expect(key.usage).toBe('signing')
      expect(key.keyvalue.type).toBe('x509Certificate')
      expect(key.keyvalue.value).toMatch(/^[A-Za-z0-9+/]+={0,2}$/)
      expect(Buffer.from(key.keyvalue.value, 'base64').equals(der)).toBe(true)
      expect(key.keyinfo).toEqual({ x5t: createHash('sha1').update(new X509Certificate(der).raw).digest('base64url') })
    })
    expect(doc.keys.map((k) => k.keyinfo.x5t)).not.toContain(expired.created.x5t)
  })

  it('publishes the configured metadata URL, and takes a fixed id when given one', () => {
    const config = load((raw) => (raw.service.metadataUrl = 'https://auth.contoso.com/gw/metadata/json/1'))
    const doc = buildMetadataDocument(config.service, [], '_fixed')
    expect(doc.id).toBe('_fixed')
    expect(doc.endpoints).toEqual([{ location: 'https://auth.contoso.com/gw/metadata/json/1', protocol: 'OAuth2', usage: 'metadata' }])
    expect(doc.keys).toEqual([])
  })
})

describe('loadIssuerKeys', () => {
  it('signs with the first certificate and publishes those not yet expired at nowMs', () => {
    const config = load()
    const keys = loadIssuerKeys(config.issuer, Date.now())
    expect(keys.signingKey.x5t).toBe(current.created.x5t)
    expect(keys.signer.x5t).toBe(current.created.x5t)
    const data = Buffer.from('payload')
    const certKey = new X509Certificate(current.created.certPem).publicKey
    expect(verify('sha256', data, certKey, sign('sha256', data, keys.signer.privateKey))).toBe(true)
    expect(keys.published.map((k) => k.x5t)).toEqual([current, next, previous].map((c) => c.created.x5t))
    const afterPrevious = previous.created.notAfter.getTime() + 1
    expect(loadIssuerKeys(config.issuer, afterPrevious).published.map((k) => k.x5t)).toEqual([current, next].map((c) => c.created.x5t))
  })

  it('still signs with an expired first certificate, but does not publish it', () => {
    const config = load((raw) => (raw.issuer.certificates = [{ cert: 'expired.pem', key: 'expired.key' }, { cert: 'gateway.pem' }]))
    const keys = loadIssuerKeys(config.issuer, Date.now())
    expect(keys.signer.x5t).toBe(expired.created.x5t)
    expect(keys.published.map((k) => k.x5t)).toEqual([current.created.x5t])
  })
})
