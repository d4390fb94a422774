// Bench: what a run needs besides the processes under test. Certificates (ours and the partners', generated now),
// partner metadata documents served on loopback from this process, and gateway config files.
import { mkdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createSelfSignedCertificate, type CreatedCertificate } from '../src/certs/create.js'

export const SERVICE_ID = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'
export const REALM = 'contoso.com'
export const PUBLIC_HOST = 'gw.contoso.com'
export const AUDIENCE = `${SERVICE_ID}/${PUBLIC_HOST}@${REALM}`
/** Exchange's well-known principal id; the startup test numbers its other partners after it. */
export const EXCHANGE_ID = '00000002-0000-0ff1-ce00-000000000000'

export interface BenchPartner {
  name: string
  id: string
  issuer: string
  cert: CreatedCertificate
  metadataUrl: string
}

export interface Fixtures {
  dir: string
  issuerCertPath: string
  issuerKeyPath: string
  /** The partner every throughput scenario uses (full trust, so user tokens are allowed). */
  partner: BenchPartner
  /** Create `count` more partners with their own certificate and metadata path (startup test). */
  morePartners(count: number): Promise<BenchPartner[]>
  close(): Promise<void>
}

function exchangeDocument(partner: BenchPartner): object {
  return {
    id: '_8a4f7e21-3c55-4b0e-9d6a-0f1e2d3c4b5a',
    version: '1.0',
    name: 'Exchange',
    realm: REALM,
    serviceName: partner.id,
    issuer: partner.issuer,
    allowedAudiences: [partner.issuer],
    keys: [{ usage: 'signing', keyinfo: { x5t: partner.cert.x5t }, keyvalue: { type: 'x509Certificate', value: partner.cert.der.toString('base64') } }],
    endpoints: [{ location: partner.metadataUrl, protocol: 'OAuth2', usage: 'metadata' }],
  }
}

export async function createFixtures(dir: string): Promise<Fixtures> {
  mkdirSync(dir, { recursive: true })
  const documents = new Map<string, string>()
  const server = http.createServer((req, res) => {
    const body = documents.get(req.url ?? '')
    if (body === undefined) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  async function makePartner(name: string, id: string): Promise<BenchPartner> {
    const path = `/${name}/metadata/json/1`
    const partner = { name, id, issuer: `${id}@${REALM}`, cert: await createSelfSignedCertificate({ subject: `CN=${name}` }), metadataUrl: base + path }
    documents.set(path, JSON.stringify(exchangeDocument(partner)))
    return partner
  }

  const issuer = await createSelfSignedCertificate({ subject: 'CN=s2s-gateway bench issuer' })
  const issuerCertPath = join(dir, 'gateway.pem')
  const issuerKeyPath = join(dir, 'gateway.key')
  writeFileSync(issuerCertPath, issuer.certPem)
  writeFileSync(issuerKeyPath, issuer.keyPem, { mode: 0o600 })
  let extra = 0
  return {
    dir,
    issuerCertPath,
    issuerKeyPath,
    partner: await makePartner('exchange', EXCHANGE_ID),
    async morePartners(count) {
      const made: BenchPartner[] = []
      for (let k = 0; k < count; k++) {
        extra++
        made.push(await makePartner(`partner-${extra}`, `00000002-0000-0ff1-ce00-${String(extra).padStart(12, '0')}`))
      }
      return made
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

export interface GatewayPorts {
  inbound: number
  admin: number
}

/**
 * A production-like gateway config: access log at info (on stdout, which the runner points at a file), default
 * caches unless `cacheMaxEntries` says otherwise. JSON is YAML, so the file is written as JSON.
 */
export function writeGatewayConfig(
  fixtures: Fixtures,
  file: string,
  opts: {
    upstreamUrl: string
    ports: GatewayPorts
    partners: readonly BenchPartner[]
    cacheMaxEntries?: number
    overrides?: Record<string, unknown>
    /** Merged into every partner entry (app-warm-perms: permissions). */
    partnerOverrides?: Record<string, unknown>
    /** Open the outbound listener on this port, every partner reachable through it at `partnerStubUrl`. */
    outbound?: { port: number; partnerStubUrl: string }
  },
): string {
  const config = {
    service: { id: SERVICE_ID, name: 'Bench API', realm: REALM, publicHosts: [PUBLIC_HOST] },
    listen: {
      inbound: { host: '127.0.0.1', port: opts.ports.inbound },
      admin: { host: '127.0.0.1', port: opts.ports.admin },
      ...(opts.outbound === undefined ? {} : { outbound: { host: '127.0.0.1', port: opts.outbound.port } }),
    },
    upstream: { url: opts.upstreamUrl },
    issuer: { certificates: [{ cert: fixtures.issuerCertPath, key: fixtures.issuerKeyPath }] },
    ...(opts.cacheMaxEntries === undefined ? {} : { tokens: { cacheMaxEntries: opts.cacheMaxEntries } }),
    logging: { level: 'info' },
    partners: opts.partners.map((p) => ({
      name: p.name,
      metadataUrl: p.metadataUrl,
      allowHttp: true,
      applicationId: p.id,
      realm: REALM,
      trustLevel: 'full',
      ...(opts.outbound === undefined ? {} : { outbound: { url: opts.outbound.partnerStubUrl } }),
      ...opts.partnerOverrides,
    })),
  }
  writeFileSync(file, JSON.stringify(opts.overrides === undefined ? config : merge(config, opts.overrides), null, 2))
  return file
}

/** Deep merge of plain objects (arrays and scalars in `extra` replace). */
function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    const prior = out[key]
    const bothObjects = [prior, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
    out[key] = bothObjects ? merge(prior as Record<string, unknown>, value as Record<string, unknown>) : value
  }
  return out
}
