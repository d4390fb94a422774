// Property tests (issue 5 §2) for metadata parsing: whatever JSON a partner's URL serves, parsing returns or throws
// a MetadataError (certificate reading only CertificateError, loading never throws); every key it returns is a
// certificate that was in the document, under the x5t we compute, never the one the document claims; and work
// stays bounded (at most MAX_KEY_ENTRIES keys read) on arbitrary input.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { CreatedCertificate } from '../../../src/certs/create.js'
import { CertificateError, computeX5t, decodeCertificate, parseSigningCertificate } from '../../../src/certs/x509.js'
import { fetchOptionsFor, loadMetadata } from '../../../src/partners/metadata-load.js'
import { MAX_KEY_ENTRIES, MetadataError, parseMetadataDocument } from '../../../src/partners/metadata-parse.js'
import { checkFetchUrl } from '../../../src/net/index.js'
import { EXCHANGE_ID } from '../../helpers/tokens.js'
import { partnerConfig, METADATA } from '../../helpers/metadata-fakes.js'
import { testCertificates, unusableCertificate } from '../../helpers/metadata-docs.js'

let certs: CreatedCertificate[]
let weak: string
beforeAll(async () => {
  certs = await testCertificates(3)
  weak = await unusableCertificate('rsa1024')
})

/** Parse, and fail the property on anything thrown that is not a MetadataError. */
function parse(doc: unknown): ReturnType<typeof parseMetadataDocument> | MetadataError {
  try {
    return parseMetadataDocument(doc)
  } catch (err) {
    expect(err).toBeInstanceOf(MetadataError)
    return err as MetadataError
  }
}

// Property names in the spellings publishers use, and a few they do not.
const name = (...spellings: string[]) => fc.constantFrom(...spellings)
const json = fc.jsonValue({ maxDepth: 3 })

/** The value of a certificate entry: one of ours in any accepted encoding, or something that is not one. */
const certValue = fc.oneof(
  fc.integer({ min: 0, max: 2 }).map((i) => ({ cert: i, text: certs[i]?.der.toString('base64') ?? '' })),
  fc.integer({ min: 0, max: 2 }).map((i) => ({ cert: i, text: certs[i]?.certPem ?? '' })),
  fc.integer({ min: 0, max: 2 }).map((i) => ({ cert: i, text: certs[i]?.der.toString('base64url') ?? '' })),
  fc.constant({ cert: -1, text: '' }).map((v) => ({ ...v, text: weak })),
  fc.string({ maxLength: 200 }).map((text) => ({ cert: -1, text })),
  fc.base64String({ maxLength: 400 }).map((text) => ({ cert: -1, text })),
)

const keyEntry = fc.record({
  usageName: name('usage', 'usage', 'Usage', 'USAGE', 'use'),
  usage: fc.oneof({ arbitrary: name('signing', 'Signing', 'SIGNING', 'encryption'), weight: 4 }, json),
  kvName: name('keyvalue', 'keyValue', 'KeyValue', 'key'),
  type: fc.oneof({ arbitrary: name('x509Certificate', 'x509certificate', 'X509CERTIFICATE', 'rsa'), weight: 4 }, json),
  value: certValue,
  x5t: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 2 }).map((i) => certs[i]?.x5t ?? '')),
})

const document = fc.record(
  {
    issuer: fc.oneof({ arbitrary: fc.constant(`${EXCHANGE_ID}@contoso.com`), weight: 4 }, fc.string({ maxLength: 60 }), json),
    serviceName: fc.oneof(fc.constant(EXCHANGE_ID), fc.string({ maxLength: 40 })),
    realm: fc.oneof(fc.constant('contoso.com'), fc.constant('*'), fc.string({ maxLength: 40 })),
    version: fc.oneof(fc.constant('Exchange/1.0'), fc.constant('1.0'), json),
    keys: fc.oneof({ arbitrary: fc.array(keyEntry, { maxLength: 6 }).map((entries) => ({ entries })), weight: 4 }, json.map((raw) => ({ raw }))),
    endpoints: fc.oneof(json, fc.array(fc.record({ protocol: name('OAuth2', 'oauth2'), usage: name('issuance', 'metadata'), location: fc.string({ maxLength: 80 }) }), { maxLength: 3 })),
  },
  { requiredKeys: [] },
)

type GeneratedKey = { usageName: string; usage: unknown; kvName: string; type: unknown; value: { cert: number; text: string }; x5t: string | undefined }
type GeneratedDoc = { keys?: { entries: GeneratedKey[] } | { raw: unknown } } & Record<string, unknown>

/** Turn a generated record into the JSON a server would send, remembering which certificate went where. */
function toJson(d: GeneratedDoc): { doc: Record<string, unknown>; included: Set<number> } {
  const included = new Set<number>()
  const { keys, ...rest } = d
  const doc: Record<string, unknown> = { ...rest }
  if (keys !== undefined && 'raw' in keys) doc['keys'] = keys.raw
  if (keys !== undefined && 'entries' in keys) {
    doc['keys'] = keys.entries.map((k) => {
      if (k.value.cert >= 0) included.add(k.value.cert)
      return {
        [k.usageName]: k.usage,
        ...(k.x5t === undefined ? {} : { keyinfo: { x5t: k.x5t } }),
        [k.kvName]: { type: k.type, value: k.value.text },
      }
    })
  }
  return { doc, included }
}

describe('parseMetadataDocument', () => {
  it('any JSON value: returns or throws MetadataError, nothing else', () => {
    fc.assert(fc.property(fc.oneof(fc.anything(), json), (value) => void parse(value)), { numRuns: 2000 })
  })

  it('document-shaped input: every key returned is a certificate from the document, under our computed x5t', () => {
    let withKeys = 0
    fc.assert(
      fc.property(document, (generated) => {
        const { doc, included } = toJson(generated as GeneratedDoc)
        const parsed = parse(doc)
        if (parsed instanceof MetadataError) return
        withKeys++
        expect(parsed.keys.length).toBeGreaterThan(0)
        expect(parsed.keys.length).toBeLessThanOrEqual(MAX_KEY_ENTRIES)
        const allowed = new Set([...included].map((i) => certs[i]?.x5t))
        for (const key of parsed.keys) {
          expect(allowed.has(key.x5t), 'a key that was not in the document').toBe(true)
          expect(key.x5t).toBe(computeX5t(Buffer.from(key.derBase64, 'base64')))
        }
        expect(new Set(parsed.keys.map((k) => k.x5t)).size).toBe(parsed.keys.length)
        expect(parsed.identity.id).toBe(parsed.identity.id.toLowerCase())
      }),
      { numRuns: 500 },
    )
    expect(withKeys, 'the generator reaches usable documents too').toBeGreaterThan(0)
  })

  it('a huge keys array is read only up to MAX_KEY_ENTRIES entries', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_KEY_ENTRIES + 1, max: 20_000 }), fc.integer({ min: 0, max: 2 }), (count, which) => {
        const entry = { usage: 'signing', keyvalue: { type: 'x509Certificate', value: certs[which]?.der.toString('base64') } }
        // The only usable key sits past the limit: it must not be read.
        const keys = [...Array.from({ length: count - 1 }, () => ({ usage: 'signing' })), entry]
        const parsed = parse({ issuer: `${EXCHANGE_ID}@contoso.com`, keys })
        expect(parsed).toBeInstanceOf(MetadataError)
        expect((parsed as MetadataError).reason).toBe('no_usable_key')
      }),
      { numRuns: 20 },
    )
  })
})

describe('certificate reading and URL checks', () => {
  it('decodeCertificate and parseSigningCertificate: any string or bytes give a key or CertificateError', () => {
    const input = fc.oneof(fc.string({ unit: 'binary', maxLength: 2048 }), fc.base64String({ maxLength: 2048 }), fc.uint8Array({ maxLength: 2048 }))
    fc.assert(
      fc.property(input, (value) => {
        try {
          decodeCertificate(value)
          parseSigningCertificate(value)
        } catch (err) {
          expect(err).toBeInstanceOf(CertificateError)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('checkFetchUrl: any string gives a URL or a reason, never a throw, and never a non-https remote URL', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.webUrl()), fc.boolean(), (url, allowHttp) => {
        const result = checkFetchUrl(url, allowHttp)
        if (typeof result === 'string') return
        expect(['https:', 'http:']).toContain(result.protocol)
        if (result.protocol === 'http:') expect(allowHttp).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })
})

describe('loadMetadata', () => {
  it('whatever the fetch resolves or rejects with, loading never throws and never trusts another issuer than the pinned one', async () => {
    const config = partnerConfig({ applicationId: EXCHANGE_ID, realm: 'contoso.com' })
    const options = fetchOptionsFor(config, METADATA, undefined)
    const answer = fc.oneof(document.map((d) => toJson(d as GeneratedDoc).doc), fc.anything(), fc.constant(new Error('boom')), fc.constant('not json'))
    await fc.assert(
      fc.asyncProperty(answer, async (value) => {
        const outcome = await loadMetadata({
          url: 'https://autodiscover.contoso.com/metadata/json/1',
          options,
          fetchDocument: async () => {
            if (value instanceof Error) throw value
            return value
          },
          config,
          accepted: undefined,
        })
        expect(['ok', 'error', 'refused']).toContain(outcome.result)
        if (outcome.result === 'ok') expect(outcome.parsed.identity).toEqual({ id: EXCHANGE_ID, realm: 'contoso.com' })
      }),
      { numRuns: 500 },
    )
  })
})
