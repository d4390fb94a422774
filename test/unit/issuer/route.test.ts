import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildMetadataDocument, registerMetadataRoute, type MetadataDocument } from '../../../src/issuer/index.js'
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
let app: FastifyInstance
let current: MetadataDocument

beforeAll(async () => {
  const cert = await createSelfSignedCertificate()
  current = buildMetadataDocument(service, [parseSigningCertificate(cert.certPem)], '_doc-1')
  app = Fastify()
  registerMetadataRoute(app, { document: () => current })
  await app.ready()
})
afterAll(() => app.close())

describe('GET /metadata/json/1', () => {
  it('serves the document anonymously as application/json', async () => {
    const res = await app.inject({ method: 'GET', url: '/metadata/json/1' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json\b/)
    expect(res.json()).toEqual(current)
  })

  it('ignores the Host header: the endpoint location comes from config', async () => {
    const res = await app.inject({ method: 'GET', url: '/metadata/json/1', headers: { host: 'evil.example:444' } })
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
    const body = (await app.inject({ method: 'GET', url: '/metadata/json/1' })).json()
    current = before
    expect(Object.keys(body)).toEqual(['id', 'version', 'name', 'realm', 'serviceName', 'issuer', 'allowedAudiences', 'keys', 'endpoints'])
    expect(body.keys[0]).toEqual({ usage: 'signing', keyinfo: { x5t: key.keyinfo.x5t }, keyvalue: key.keyvalue })
    expect(body.endpoints[0]).toEqual(before.endpoints[0])
  })

  it('asks for the document on every request, so a rotation shows at once', async () => {
    const before = current
    current = { ...before, id: '_doc-2' }
    const body = (await app.inject({ method: 'GET', url: '/metadata/json/1' })).json()
    current = before
    expect(body.id).toBe('_doc-2')
  })
})
