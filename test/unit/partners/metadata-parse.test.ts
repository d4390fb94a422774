import { beforeAll, describe, expect, it } from 'vitest'
import type { CreatedCertificate } from '../../../src/certs/create.js'
import { MetadataError, parseMetadataDocument, type ParsedMetadata } from '../../../src/partners/metadata-parse.js'
import { EXCHANGE_ID } from '../../helpers/tokens.js'
import {
  ACS_ID, SHAREPOINT_ID, acsShape, exchangeShape, sharePointShape, testCertificates, unusableCertificate,
} from '../../helpers/metadata-docs.js'

let certs: CreatedCertificate[]
let a: CreatedCertificate
let b: CreatedCertificate
let rsa1024: string
let ec: string
beforeAll(async () => {
  certs = await testCertificates(3)
  ;[a, b] = certs as [CreatedCertificate, CreatedCertificate]
  rsa1024 = await unusableCertificate('rsa1024')
  ec = await unusableCertificate('ec')
})

const x5ts = (parsed: ParsedMetadata): string[] => parsed.keys.map((k) => k.x5t)
const key = (value: string, extra: Record<string, unknown> = {}) => ({ usage: 'signing', keyvalue: { type: 'x509Certificate', value }, ...extra })
const doc = (keys: unknown[], extra: Record<string, unknown> = {}) => ({ issuer: `${EXCHANGE_ID}@contoso.com`, keys, ...extra })

describe('parseMetadataDocument: shapes seen in the wild', () => {
  it.each([
    {
      shape: 'Exchange on-prem (two keys, lowercase keyinfo/keyvalue)',
      build: () => exchangeShape({ id: EXCHANGE_ID, realm: 'contoso.com', certs: [a, b] }),
      identity: { id: EXCHANGE_ID, realm: 'contoso.com' },
      keys: () => [a.x5t, b.x5t],
    },
    {
      shape: 'Exchange Online (realm *)',
      build: () => exchangeShape({ id: EXCHANGE_ID, realm: '*', certs: [a] }),
      identity: { id: EXCHANGE_ID, realm: '*' },
      keys: () => [a.x5t],
    },
    {
      shape: 'SharePoint (keyValue, x509certificate, Signing, no realm or keyinfo, upper-case realm GUID)',
      build: () => sharePointShape({ id: SHAREPOINT_ID, realm: 'A1B2C3D4-0000-1111-2222-333344445555', certs: [a] }),
      identity: { id: SHAREPOINT_ID, realm: 'a1b2c3d4-0000-1111-2222-333344445555' },
      keys: () => [a.x5t],
    },
    {
      shape: 'ACS (several keyValue keys)',
      build: () => acsShape({ id: ACS_ID, realm: '*', certs: [a, b, certs[2]!] }, 'https://accounts.accesscontrol.windows.net/tokens/OAuth/2'),
      identity: { id: ACS_ID, realm: '*' },
      keys: () => certs.map((c) => c.x5t),
    },
    {
      shape: 'version Exchange/1.0 (serviceName and realm win over issuer)',
      build: () => exchangeShape({ id: EXCHANGE_ID, realm: 'Contoso.COM', certs: [a] }, { version: 'Exchange/1.0', issuer: 'someone-else@fabrikam.com' }),
      identity: { id: EXCHANGE_ID, realm: 'contoso.com' },
      keys: () => [a.x5t],
    },
    {
      shape: 'no issuer (serviceName + realm fallback)',
      build: () => ({ ...exchangeShape({ id: EXCHANGE_ID.toUpperCase(), realm: 'contoso.com', certs: [a] }), issuer: undefined }),
      identity: { id: EXCHANGE_ID, realm: 'contoso.com' },
      keys: () => [a.x5t],
    },
    {
      shape: 'issuer split at the last @',
      build: () => doc([key(a.der.toString('base64'))], { issuer: 'app@corp@contoso.com' }),
      identity: { id: 'app@corp', realm: 'contoso.com' },
      keys: () => [a.x5t],
    },
  ])('$shape', ({ build, identity, keys }) => {
    const parsed = parseMetadataDocument(JSON.parse(JSON.stringify(build())))
    expect(parsed.identity).toEqual(identity)
    expect(x5ts(parsed)).toEqual(keys())
    expect(parsed.warnings).toEqual([])
  })

  it('reports the ACS issuance endpoint and none for Exchange', () => {
    const issuance = 'https://accounts.accesscontrol.windows.net/tokens/OAuth/2'
    expect(parseMetadataDocument(acsShape({ id: ACS_ID, realm: '*', certs: [a] }, issuance)).issuanceEndpoint).toBe(issuance)
    expect(parseMetadataDocument(exchangeShape({ id: EXCHANGE_ID, realm: 'c.com', certs: [a] }))).not.toHaveProperty('issuanceEndpoint')
  })
})

describe('parseMetadataDocument: certificate values', () => {
  it.each([
    ['std base64 with padding', () => a.der.toString('base64')],
    ['std base64 without padding', () => a.der.toString('base64').replace(/=+$/, '')],
    ['base64 with line breaks and spaces', () => a.der.toString('base64').replace(/(.{64})/g, '$1\r\n ')],
    ['url-safe base64', () => a.der.toString('base64url')],
    ['PEM text', () => a.certPem],
    ['base64 of PEM text (exploit tooling, §7.9)', () => Buffer.from(a.certPem).toString('base64')],
  ])('accepts %s', (_label, value) => {
    expect(x5ts(parseMetadataDocument(doc([key(value())])))).toEqual([a.x5t])
  })

  it('matches property names and keywords case-insensitively', () => {
    const entry = { USAGE: 'SIGNING', KeyValue: { Type: 'X509CERTIFICATE', VALUE: a.der.toString('base64') } }
    expect(x5ts(parseMetadataDocument({ Issuer: `${EXCHANGE_ID}@contoso.com`, KEYS: [entry] }))).toEqual([a.x5t])
  })

  it('computes x5t itself and only warns when the published one differs', () => {
    const parsed = parseMetadataDocument(doc([key(a.der.toString('base64'), { keyinfo: { x5t: b.x5t } })]))
    expect(x5ts(parsed)).toEqual([a.x5t])
    expect(parsed.warnings).toEqual([`keys[0]: published x5t does not match the certificate, using computed ${a.x5t}`])
  })

  it('does not warn about a published x5t in padded standard base64', () => {
    const padded = Buffer.from(a.x5t, 'base64url').toString('base64')
    expect(parseMetadataDocument(doc([key(a.der.toString('base64'), { keyInfo: { x5t: padded } })])).warnings).toEqual([])
  })

  it('deduplicates keys by x5t, whatever the encoding', () => {
    const parsed = parseMetadataDocument(doc([key(a.der.toString('base64')), key(a.certPem), key(b.der.toString('base64'))]))
    expect(x5ts(parsed)).toEqual([a.x5t, b.x5t])
  })

  it('skips unusable keys with a warning and keeps the usable ones', () => {
    const parsed = parseMetadataDocument(doc([key(rsa1024), key(ec), key('!!!'), key(a.der.toString('base64'))]))
    expect(x5ts(parsed)).toEqual([a.x5t])
    expect(parsed.warnings).toEqual([
      'keys[0]: skipped, RSA key is 1024 bits, at least 2048 required',
      'keys[1]: skipped, certificate key is ec, RSA required',
      'keys[2]: skipped, certificate is not base64 or PEM',
    ])
  })

  it('ignores entries that are not x509 signing keys, silently', () => {
    const value = a.der.toString('base64')
    const parsed = parseMetadataDocument(doc([
      { usage: 'encryption', keyvalue: { type: 'x509Certificate', value } },
      { usage: 'signing', keyvalue: { type: 'RSAKeyValue', value } },
      { usage: 'signing', keyvalue: { type: 'x509Certificate', value: '' } },
      { usage: 'signing' },
      null, 7, 'signing', [],
      key(b.der.toString('base64')),
    ]))
    expect(x5ts(parsed)).toEqual([b.x5t])
    expect(parsed.warnings).toEqual([])
  })
})

describe('parseMetadataDocument: unusable documents throw MetadataError only', () => {
  const good = (): unknown[] => [key(a.der.toString('base64'))]
  it.each([
    ['null', () => null, 'not_object'],
    ['a number', () => 42, 'not_object'],
    ['a string', () => 'metadata', 'not_object'],
    ['an array', () => [exchangeShape({ id: EXCHANGE_ID, realm: 'c.com', certs: [a] })], 'not_object'],
    ['an empty object', () => ({}), 'no_identity'],
    ['an issuer without @', () => doc(good(), { issuer: EXCHANGE_ID }), 'no_identity'],
    ['an issuer with an empty id', () => doc(good(), { issuer: '@contoso.com' }), 'no_identity'],
    ['an issuer with an empty realm', () => doc(good(), { issuer: `${EXCHANGE_ID}@` }), 'no_identity'],
    ['an issuer with whitespace', () => doc(good(), { issuer: `${EXCHANGE_ID} @contoso.com` }), 'no_identity'],
    ['an issuer that is a number', () => doc(good(), { issuer: 12 }), 'no_identity'],
    ['serviceName without realm', () => ({ serviceName: EXCHANGE_ID, keys: good() }), 'no_identity'],
    ['a huge issuer', () => doc(good(), { issuer: `${'x'.repeat(1_000_000)}@contoso.com` }), 'no_identity'],
    ['no keys', () => doc(undefined as never), 'no_keys'],
    ['keys as an object', () => doc({ 0: good()[0] } as never), 'no_keys'],
    ['empty keys', () => doc([]), 'no_usable_key'],
    ['only unusable keys', () => doc([key(rsa1024), key(ec)]), 'no_usable_key'],
    ['a huge certificate value', () => doc([key('A'.repeat(5_000_000))]), 'no_usable_key'],
    ['a huge value of repeated PEM headers', () => doc([key('-----BEGIN CERTIFICATE-----'.repeat(2_000))]), 'no_usable_key'],
  ])('%s', (_label, build, reason) => {
    const input: unknown = build()
    expect(() => parseMetadataDocument(input)).toThrow(MetadataError)
    try {
      parseMetadataDocument(input)
    } catch (err) {
      expect((err as MetadataError).reason).toBe(reason)
    }
  })

  it('never throws anything else on random JSON built from document fragments', () => {
    let seed = 42
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    const atoms = [null, true, 0, -1, 1e308, '', 'signing', 'x509certificate', '*', '@', `${EXCHANGE_ID}@contoso.com`, a.der.toString('base64'), 'LS0tLS1CRUdJTi']
    const names = ['keys', 'KEYS', 'usage', 'keyvalue', 'keyValue', 'type', 'value', 'issuer', 'serviceName', 'realm', 'version', 'keyinfo', 'x5t', 'endpoints', '__proto__']
    const value = (depth: number): unknown => {
      const pick = rand(depth > 3 ? 1 : 3)
      if (pick === 0) return atoms[rand(atoms.length)]
      if (pick === 1) return Array.from({ length: rand(4) }, () => value(depth + 1))
      return Object.fromEntries(Array.from({ length: rand(5) }, () => [names[rand(names.length)], value(depth + 1)]))
    }
    for (let i = 0; i < 2_000; i++) {
      const input = JSON.parse(JSON.stringify(value(0)) ?? 'null') as unknown
      try {
        parseMetadataDocument(input)
      } catch (err) {
        expect(err).toBeInstanceOf(MetadataError)
      }
    }
  })
})
