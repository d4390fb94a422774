// Test helper: a partner's metadata server on 127.0.0.1 serving the Exchange-shaped document for a
// TestPartner (current certificate plus previous ones, as Exchange publishes), counting fetches.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestPartner } from './tokens.js'

export interface MetadataServer {
  url: string
  fetches: number
  /** When true, every request gets a 503. */
  down: boolean
  /** Override the document (object is JSON-encoded; a string is sent as is). */
  override: unknown
  /** Replace the whole answer (huge, slow or redirecting documents); `fetches` still counts. */
  handler: http.RequestListener | undefined
  close(): Promise<void>
}

export function exchangeDocument(partner: TestPartner, location: string): object {
  const certs = [partner.cert, ...partner.previous.slice(-1)]
  return {
    id: '_8a4f7e21-3c55-4b0e-9d6a-0f1e2d3c4b5a',
    version: '1.0',
    name: 'Exchange',
    realm: partner.realm,
    serviceName: partner.id,
    issuer: partner.issuer,
    allowedAudiences: [partner.issuer],
    keys: certs.map((c) => ({
      usage: 'signing',
      keyinfo: { x5t: c.x5t },
      keyvalue: { type: 'x509Certificate', value: c.der.toString('base64') },
    })),
    endpoints: [{ location, protocol: 'OAuth2', usage: 'metadata' }],
  }
}

export async function startMetadataServer(partner: TestPartner): Promise<MetadataServer> {
  const meta: MetadataServer = {
    url: '',
    fetches: 0,
    down: false,
    override: undefined,
    handler: undefined,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
  const server = http.createServer((req, res) => {
    meta.fetches++
    if (meta.handler !== undefined) return meta.handler(req, res)
    if (meta.down) {
      res.writeHead(503).end()
      return
    }
    const doc = meta.override ?? exchangeDocument(partner, meta.url)
    const body = typeof doc === 'string' ? doc : JSON.stringify(doc)
    res.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  meta.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/autodiscover/metadata/json/1`
  return meta
}
