// Test helper: a partner (think SharePoint or Exchange) on 127.0.0.1 that our outbound calls go to. It trusts
// the gateway ONLY through the gateway's published metadata document: it fetches /metadata/json/1, computes x5t
// itself and verifies RS256 with node:crypto (no gateway code), checks aud/iss/nameid/nbf/exp and the user
// wrapper, and answers 401 with a WWW-Authenticate challenge when the token is missing or wrong. It also serves
// its own metadata document, so the gateway can register it by URL.
import http, { type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, verify, X509Certificate, type KeyObject } from 'node:crypto'
import { exchangeDocument } from './metadata-server.js'
import { makeTestPartner, type TestPartner } from './tokens.js'

export const SHAREPOINT_ID = '00000003-0000-0ff1-ce00-000000000000'

export interface PartnerStubOptions {
  /** Its principal id. Default SharePoint's. */
  id?: string
  /** The realm it expects after '@' in aud and names in its challenge. Default contoso.com. */
  realm?: string
  /** The realm its own metadata document names (to test discovery when the two differ). Default `realm`. */
  metadataRealm?: string
  /** 'sharepoint': realm first, no spaces. 'exchange': no realm, space after commas, a second Basic challenge. */
  challengeStyle?: 'sharepoint' | 'exchange'
  /** Issuers it accepts; default: the `issuer` of the gateway's metadata document. */
  trustedIssuers?: string[]
  /** Refetch the gateway's document on an unknown x5t. Default false (Exchange refreshes only every 24 h). */
  refetchOnUnknownX5t?: boolean
  /**
   * Also accept tokens of this authorization server (its metadata URL; issue 7): iss = its issuer, signed with a key
   * of its document, nameid = the gateway's id at the stub's realm (the gateway as client), like -UseOAuthServer.
   */
  trustAuthorizationServer?: string
}

export interface AcceptedCall {
  method: string
  url: string
  authType: 'app' | 'user'
  user: Record<string, unknown> | undefined
  x5t: string
  header: Record<string, unknown>
  actor: Record<string, unknown>
  headers: IncomingHttpHeaders
  body: string
}

export interface PartnerStub {
  url: string
  /** Its own metadata document (register it in the gateway with allowHttp). */
  metadataUrl: string
  identity: TestPartner
  realm: string
  /** Set once the gateway listens: where the stub learns our keys. */
  gatewayMetadataUrl: string
  accepted: AcceptedCall[]
  rejections: string[]
  /** Requests that carried an empty Bearer (realm-discovery probes). */
  probes: number
  gatewayKeyFetches: number
  /** Answer 503 for its own metadata document. */
  metadataDown: boolean
  /** Reject every token with this reason (a partner that no longer trusts us). */
  rejectAll: string | undefined
  /** x5t values it currently trusts. */
  knownX5ts(): string[]
  /** Fetch the gateway's metadata document again (what a partner does on its refresh schedule). */
  refreshGatewayKeys(): Promise<void>
  close(): Promise<void>
}

class Rejected extends Error {}

const b64json = (segment: string | undefined): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    throw new Rejected('malformed')
  }
}

function challengeHeader(stub: { id: string; realm: string; trusted: string[] }, style: 'sharepoint' | 'exchange', error: boolean): string[] {
  const issuers = stub.trusted.join(',')
  if (style === 'sharepoint') {
    return [`Bearer realm="${stub.realm}",client_id="${stub.id}",trusted_issuers="${issuers}"${error ? ',error="invalid_token"' : ''}`, 'NTLM']
  }
  const extra = error ? ', error="invalid_token"' : ''
  return [`Bearer client_id="${stub.id}", trusted_issuers="${issuers}", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.windows.net/common/oauth2/authorize"${extra}`, 'Basic realm="mail.contoso.com"']
}

export async function startPartnerStub(opts: PartnerStubOptions = {}): Promise<PartnerStub> {
  const id = opts.id ?? SHAREPOINT_ID
  const realm = opts.realm ?? 'contoso.com'
  const identity = await makeTestPartner({ id, realm: opts.metadataRealm ?? realm, subject: `CN=partner stub ${id}` })
  let keys = new Map<string, KeyObject>()
  let gatewayIssuer = ''
  let host = ''
  let tokenServer: { issuer: string; keys: Map<string, KeyObject> } | undefined

  const stub: PartnerStub = {
    url: '', metadataUrl: '', identity, realm, gatewayMetadataUrl: '', accepted: [], rejections: [], probes: 0,
    gatewayKeyFetches: 0, metadataDown: false, rejectAll: undefined,
    knownX5ts: () => [...keys.keys()],
    async refreshGatewayKeys() {
      stub.gatewayKeyFetches++
      const doc = (await (await fetch(stub.gatewayMetadataUrl)).json()) as { issuer: string; keys: Array<{ keyvalue: { value: string } }> }
      const next = new Map<string, KeyObject>()
      for (const key of doc.keys) {
        const der = Buffer.from(key.keyvalue.value, 'base64')
        // x5t computed here from the certificate bytes, never taken from the document.
        next.set(createHash('sha1').update(der).digest('base64url'), new X509Certificate(der).publicKey)
      }
      keys = next
      gatewayIssuer = doc.issuer
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
  const trusted = (): string[] => [...(opts.trustedIssuers ?? (gatewayIssuer === '' ? [] : [gatewayIssuer])), ...(tokenServer === undefined ? [] : [tokenServer.issuer])]

  /** The authorization server's issuer and keys, from its document (x5t computed here), fetched once. */
  async function serverKeys(url: string): Promise<{ issuer: string; keys: Map<string, KeyObject> }> {
    if (tokenServer !== undefined) return tokenServer
    const doc = (await (await fetch(url)).json()) as { issuer: string; keys: Array<{ keyValue: { value: string } }> }
    const found = new Map<string, KeyObject>()
    for (const key of doc.keys) {
      const der = Buffer.from(key.keyValue.value, 'base64')
      found.set(createHash('sha1').update(der).digest('base64url'), new X509Certificate(der).publicKey)
    }
    tokenServer = { issuer: doc.issuer, keys: found }
    return tokenServer
  }

  async function verifyActor(token: string): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
    const [h, p, s, extra] = token.split('.')
    if (s === undefined || extra !== undefined || s === '') throw new Rejected('malformed')
    const header = b64json(h)
    const claims = b64json(p)
    if (header['alg'] !== 'RS256' || header['typ'] !== 'JWT') throw new Rejected('header')
    if (header['kid'] !== undefined) throw new Rejected('kid_present')
    const x5t = String(header['x5t'])
    const iss = String(claims['iss']).toLowerCase()
    const viaServer = opts.trustAuthorizationServer === undefined ? undefined : await serverKeys(opts.trustAuthorizationServer)
    const fromServer = viaServer !== undefined && viaServer.issuer.toLowerCase() === iss
    if (!fromServer && !keys.has(x5t) && opts.refetchOnUnknownX5t === true) await stub.refreshGatewayKeys()
    const key = (fromServer ? viaServer.keys : keys).get(x5t)
    if (key === undefined) throw new Rejected('unknown_x5t')
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) throw new Rejected('signature')
    if (!trusted().some((t) => t.toLowerCase() === iss)) throw new Rejected('issuer_not_trusted')
    const gatewayClient = `${gatewayIssuer.slice(0, gatewayIssuer.lastIndexOf('@'))}@${realm}`
    if (fromServer ? claims['nameid'] !== gatewayClient : claims['nameid'] !== claims['iss']) throw new Rejected('nameid')
    if (String(claims['aud']).toLowerCase() !== `${id}/${host}@${realm}`.toLowerCase()) throw new Rejected('audience')
    const now = Math.floor(Date.now() / 1000)
    const nbf = Number(claims['nbf'])
    const exp = Number(claims['exp'])
    if (!(nbf - 300 <= now && now < exp + 300) || exp - nbf > 43_200 + 300) throw new Rejected('lifetime')
    return { header, claims }
  }

  async function authenticate(authorization: string | undefined): Promise<Omit<AcceptedCall, 'method' | 'url' | 'headers' | 'body'>> {
    if (keys.size === 0 && stub.gatewayMetadataUrl !== '') await stub.refreshGatewayKeys()
    if (opts.trustAuthorizationServer !== undefined) await serverKeys(opts.trustAuthorizationServer) // its challenge lists the server
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1]
    if (token === undefined) throw new Rejected('missing')
    if (stub.rejectAll !== undefined) throw new Rejected(stub.rejectAll)
    const outerHeader = b64json(token.split('.')[0])
    if (outerHeader['alg'] !== 'none') {
      const { header, claims } = await verifyActor(token)
      return { authType: 'app', user: undefined, x5t: String(header['x5t']), header, actor: claims }
    }
    const [, payload, signature] = token.split('.')
    if (signature !== '') throw new Rejected('outer_signed')
    const outer = b64json(payload)
    const { header, claims } = await verifyActor(String(outer['actortoken']))
    if (outer['iss'] !== claims['nameid'] || outer['aud'] !== claims['aud']) throw new Rejected('outer_binding')
    if (claims['trustedfordelegation'] !== 'true') throw new Rejected('delegation')
    const { actortoken: _actor, aud: _aud, iss: _iss, nbf: _nbf, exp: _exp, ...user } = outer
    return { authType: 'user', user, x5t: String(header['x5t']), header, actor: claims }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url === '/metadata/json/1') {
        if (stub.metadataDown) return void res.writeHead(503).end()
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(exchangeDocument(identity, stub.metadataUrl)))
      }
      const body = Buffer.concat(chunks).toString('utf8')
      authenticate(req.headers.authorization).then(
        (call) => {
          stub.accepted.push({ ...call, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
          const payload = JSON.stringify({ ok: true, authType: call.authType, user: call.user, method: req.method, url: req.url, body })
          res.writeHead(200, { 'content-type': 'application/json', 'x-partner': 'stub' }).end(payload)
        },
        (err: unknown) => {
          const reason = err instanceof Rejected ? err.message : 'internal'
          if (reason === 'missing') stub.probes++
          else stub.rejections.push(reason)
          const www = challengeHeader({ id, realm, trusted: trusted() }, opts.challengeStyle ?? 'sharepoint', reason !== 'missing')
          res.writeHead(401, { 'www-authenticate': www, 'x-ms-diagnostics': `3000003;reason="${reason}";category="invalid_client"`, 'content-type': 'application/json' })
          res.end(JSON.stringify({ error: 'invalid_token', reason }))
        },
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  host = `127.0.0.1:${port}`
  stub.url = `http://${host}`
  stub.metadataUrl = `${stub.url}/metadata/json/1`
  return stub
}
