// Test helper: a stand-in authorization server (ACS-style, docs/PROTOCOL.md §6) on 127.0.0.1 with its own signing
// certificate generated at test time. It serves its metadata document (with an `issuance` endpoint), issues app-only
// tokens by client credentials only after verifying the client assertion against the gateway's PUBLISHED metadata
// (node:crypto, no gateway code), counts issuance requests, and builds the tokens it would issue for inbound tests.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, verify, X509Certificate, type KeyObject } from 'node:crypto'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../src/certs/create.js'
import { PUBLIC_HOST, REALM, SERVICE_ID, nowSec, signRaw } from './tokens.js'

export const ACS_ID = '00000001-0000-0000-c000-000000000000'
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface AuthServerOptions {
  /** The realm (tenant) it issues for; its issuer is `<ACS_ID>@<realm>`. Default contoso.com. */
  realm?: string
  /** Lifetime of the tokens it issues, seconds (sent as a decimal string, like ACS). Default 3600. */
  expiresInSec?: number
}

/** One request to the issuance endpoint, with what the server found in it. */
export interface IssuanceRequest {
  form: Record<string, string>
  assertionHeader: Record<string, unknown> | undefined
  assertionClaims: Record<string, unknown> | undefined
  /** undefined when a token was issued, else why not. */
  rejected: string | undefined
}

export interface AuthServer {
  id: string
  realm: string
  /** `<id>@<realm>`. */
  issuer: string
  cert: CreatedCertificate
  /** Base URL (http://127.0.0.1:port). */
  url: string
  metadataUrl: string
  issuanceUrl: string
  /** Set once the gateway listens: where the server learns the gateway's keys for client assertions. */
  gatewayMetadataUrl: string
  metadataFetches: number
  /** Every POST to the issuance endpoint, in order. */
  requests: IssuanceRequest[]
  /** While set, issuance answers wait until release() (concurrency tests). */
  hold: boolean
  release(): void
  /** Answer every issuance request with this HTTP status and OAuth error instead. */
  failWith: { status: number; error: string } | undefined
  /** Claims of an app-only token it issues for `clientId` (`<id>` or `<id>@<realm>`), overridable. */
  appClaims(clientId: string, overrides?: Record<string, unknown>): Record<string, unknown>
  /** A signed app-only token, as its issuance endpoint would give it (signed with `key`, default its own). */
  appToken(clientId: string, overrides?: Record<string, unknown>, key?: KeyObject): string
  /** A signed user+app token: nameid = the user's PUID, actor = `<clientId>@<realm>`, identityprovider MSO. */
  userToken(clientId: string, user: Record<string, unknown>, overrides?: Record<string, unknown>, key?: KeyObject): string
  close(): Promise<void>
}

class Refused extends Error {}

const json = (segment: string | undefined): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    throw new Refused('assertion_malformed')
  }
}

export async function startAuthServer(opts: AuthServerOptions = {}): Promise<AuthServer> {
  const realm = opts.realm ?? REALM
  const issuer = `${ACS_ID}@${realm}`
  const cert = await createSelfSignedCertificate({ subject: 'CN=stand-in authorization server' })
  const expiresIn = opts.expiresInSec ?? 3600
  let waiting: Array<() => void> = []

  const principal = (clientId: string): string => (clientId.includes('@') ? clientId : `${clientId}@${realm}`)
  const audience = `${SERVICE_ID}/${PUBLIC_HOST}@${realm}`
  const as: AuthServer = {
    id: ACS_ID, realm, issuer, cert, url: '', metadataUrl: '', issuanceUrl: '', gatewayMetadataUrl: '', metadataFetches: 0, requests: [],
    hold: false, failWith: undefined,
    release() {
      as.hold = false
      const run = waiting
      waiting = []
      for (const go of run) go()
    },
    appClaims(clientId, overrides = {}) {
      const now = nowSec()
      return {
        aud: audience, iss: issuer, nbf: now - 60, exp: now + expiresIn, nameid: principal(clientId),
        trustedfordelegation: 'false', identityprovider: issuer, ...overrides,
      }
    },
    appToken(clientId, overrides = {}, key) {
      return signRaw({ typ: 'JWT', alg: 'RS256', x5t: cert.x5t }, as.appClaims(clientId, overrides), key ?? cert.privateKey)
    },
    userToken(clientId, user, overrides = {}, key) {
      const now = nowSec()
      const claims = { aud: audience, iss: issuer, nbf: now - 60, exp: now + expiresIn, actor: principal(clientId), identityprovider: 'urn:federation:microsoftonline', ...user, ...overrides }
      return signRaw({ typ: 'JWT', alg: 'RS256', x5t: cert.x5t }, claims, key ?? cert.privateKey)
    },
    close: () => new Promise((resolve) => {
      as.release()
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }

  function metadataDocument(): object {
    return {
      issuer,
      version: '1.0',
      realm,
      keys: [{ usage: 'signing', keyinfo: { x5t: cert.x5t }, keyValue: { type: 'x509Certificate', value: cert.der.toString('base64') } }],
      endpoints: [
        { location: as.issuanceUrl, protocol: 'OAuth2', usage: 'issuance' },
        { location: as.metadataUrl, protocol: 'OAuth2', usage: 'metadata' },
      ],
    }
  }

  /** The gateway's keys and issuer, from its published metadata only; x5t computed here from the DER bytes. */
  async function gatewayKeys(): Promise<{ issuer: string; keys: Map<string, KeyObject> }> {
    const doc = (await (await fetch(as.gatewayMetadataUrl)).json()) as { issuer: string; keys: Array<{ keyvalue: { value: string } }> }
    const keys = new Map<string, KeyObject>()
    for (const key of doc.keys) {
      const der = Buffer.from(key.keyvalue.value, 'base64')
      keys.set(createHash('sha1').update(der).digest('base64url'), new X509Certificate(der).publicKey)
    }
    return { issuer: doc.issuer, keys }
  }

  /** RFC 7523 checks of the client assertion, and that the client is the gateway in our realm. */
  async function checkRequest(form: Record<string, string>, record: IssuanceRequest): Promise<string> {
    if (form['grant_type'] !== 'client_credentials') throw new Refused('grant_type')
    if (form['client_assertion_type'] !== JWT_BEARER) throw new Refused('client_assertion_type')
    const clientId = form['client_id'] ?? ''
    const assertion = form['client_assertion'] ?? ''
    const [h, p, s, extra] = assertion.split('.')
    if (s === undefined || s === '' || extra !== undefined) throw new Refused('assertion_malformed')
    const header = json(h)
    const claims = json(p)
    record.assertionHeader = header
    record.assertionClaims = claims
    if (header['alg'] !== 'RS256' || typeof header['x5t'] !== 'string') throw new Refused('assertion_header')
    const gateway = await gatewayKeys()
    const key = gateway.keys.get(header['x5t'])
    if (key === undefined) throw new Refused('assertion_unknown_x5t')
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) throw new Refused('assertion_signature')
    const gatewayId = gateway.issuer.slice(0, gateway.issuer.lastIndexOf('@'))
    if (clientId !== `${gatewayId}@${realm}`) throw new Refused('client_id')
    if (claims['iss'] !== clientId || claims['sub'] !== clientId) throw new Refused('assertion_iss_sub')
    if (claims['aud'] !== as.issuanceUrl) throw new Refused('assertion_aud')
    const now = nowSec()
    const nbf = Number(claims['nbf'])
    const exp = Number(claims['exp'])
    if (exp - nbf !== 600 || !(nbf - 300 <= now && now < exp)) throw new Refused('assertion_lifetime')
    const resource = form['resource'] ?? ''
    const match = /^([^/@\s]+)\/([^/@\s]+)@([^@\s]+)$/.exec(resource)
    if (match === null || match[3] !== realm) throw new Refused('resource')
    return resource
  }

  async function issue(form: Record<string, string>, record: IssuanceRequest): Promise<{ status: number; body: object }> {
    if (as.failWith !== undefined) return { status: as.failWith.status, body: { error: as.failWith.error, error_description: 'stand-in refusal' } }
    let resource: string
    try {
      resource = await checkRequest(form, record)
    } catch (err) {
      if (!(err instanceof Refused)) throw err
      record.rejected = err.message
      return { status: 401, body: { error: 'invalid_client', error_description: err.message } }
    }
    const now = nowSec()
    const clientId = form['client_id'] ?? ''
    const claims = { aud: resource, iss: issuer, nbf: now, exp: now + expiresIn, nameid: clientId, trustedfordelegation: 'false', identityprovider: issuer }
    const token = signRaw({ typ: 'JWT', alg: 'RS256', x5t: cert.x5t }, claims, cert.privateKey)
    return { status: 200, body: { token_type: 'Bearer', access_token: token, expires_in: String(expiresIn), not_before: String(now), expires_on: String(now + expiresIn), resource } }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = req.url ?? ''
      if (req.method === 'GET' && path === new URL(as.metadataUrl).pathname) {
        as.metadataFetches++
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadataDocument()))
      }
      if (req.method !== 'POST' || path !== new URL(as.issuanceUrl).pathname) return void res.writeHead(404).end()
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
      const record: IssuanceRequest = { form, assertionHeader: undefined, assertionClaims: undefined, rejected: undefined }
      as.requests.push(record)
      const answer = (): void => {
        issue(form, record).then(
          ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
          () => res.writeHead(500).end(),
        )
      }
      if (as.hold) waiting.push(answer)
      else answer()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  as.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  as.metadataUrl = `${as.url}/${realm}/metadata/json/1`
  as.issuanceUrl = `${as.url}/${realm}/tokens/OAuth/2`
  return as
}

/** A gateway `authorizationServers` entry for a stand-in server. */
export function authServerEntry(name: string, as: AuthServer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, metadataUrl: as.metadataUrl, allowHttp: true, ...extra }
}
