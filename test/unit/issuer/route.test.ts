import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMetadataDocument, writeMetadata, type MetadataDocument } from '../../../src/issuer/index.js'
import { parseSigningCertificate } from '../../../src/certs/x509.js'
import { createSelfSignedCertificate } from '../../../src/certs/create.js'
import { SERVICE_ID } from '../config/fixtures.js'

const service = {
  id: SERVICE_ID,
  name: 'Legacy HR API',
  realm: 'contoso.com',
  realmAliases: [],
  publicHosts: ['gw.contoso.com'],
  metadataUrl: 'https://gw.contoso.com/metadata/json/1',
}
let server: Server
let base: string
let current: MetadataDocument

/** A real listener that answers every request the way the inbound handler answers GET /metadata/json/1. */
beforeAll(async () => {
  const cert = await createSelfSignedCertificate()
  current = buildMetadataDocument(service, [parseSigningCertificate(cert.certPem)], '_doc-1')
  server = createServer((_req, res) => writeMetadata(res, current))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const get = async (headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}/metadata/json/1`, { headers })
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text(), json() { return JSON.parse(this.body) } }
}

describe('GET /metadata/json/1', () => {
  it('serves the document anonymously as application/json', async () => {
    const res = await get()
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json\b/)
    expect(res.json()).toEqual(current)
  })

  it('ignores the Host header: the endpoint location comes from config', async () => {
    const res = await get({ 'x-forwarded-host': 'evil.example:444' })
    expect(res.json().endpoints[0].location).toBe('https://gw.contoso.com/metadata/json/1')
  })

  it('serializes only the declared fields, so nothing extra leaks', async () => {
    const before = current
    const key = before.keys[0]!
    current = {
      ...before,
      secret: 'x',
      keys: [{ ...key, privateKey: 'PEM', keyinfo: { ...key.keyinfo, kid: 'k' } }],
      endpoints: [{ ...before.endpoints[0]!, extra: 1 }],
    } as unknown as MetadataDocument
    const body = (await get()).json()
    current = before
    expect(Object.keys(body)).toEqual(['id', 'version', 'name', 'realm', 'serviceName', 'issuer', 'allowedAudiences', 'keys', 'endpoints'])
    expect(body.keys[0]).toEqual({ usage: 'signing', keyinfo: { x5t: key.keyinfo.x5t }, keyvalue: key.keyvalue })
    expect(body.endpoints[0]).toEqual(before.endpoints[0])
  })

  it('asks for the document on every request, so a rotation shows at once', async () => {
    const before = current
    current = { ...before, id: '_doc-2' }
    const body = (await get()).json()
    current = before
    expect(body.id).toBe('_doc-2')
  })
})
