// `s2s-gateway demo` (what `npm start` runs): throw-away certificates in a temp folder, an echo backend, a
// demo partner publishing its own metadata document, and the gateway in front; two requests through it, then
// a ready-to-paste curl line. Everything listens on 127.0.0.1 and is removed on Ctrl-C.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSelfSignedCertificate, type CreatedCertificate } from '../certs/index.js'
import { parseSigningCertificate } from '../certs/index.js'
import { loadConfigObject } from '../config/index.js'
import { buildMetadataDocument } from '../issuer/index.js'
import { createLogger } from '../log/index.js'
import { startGateway } from '../lifecycle/index.js'
import { demoLogStream } from './demo-log.js'
import { mintActorToken, wrapUserToken } from '../issuer/index.js'

const SERVICE_ID = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'
const PARTNER_ID = '00000002-0000-0ff1-ce00-000000000000'
const REALM = 'contoso.com'

type Out = (line?: string) => void

/**
 * The preferred port when it is free on 127.0.0.1, else one the system picks. A real number either way: the
 * gateway's public host (the token audience, the published metadata URL) must name the port it listens on.
 */
async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number): Promise<number | undefined> => {
    const probe = net.createServer()
    return new Promise((resolve) => {
      probe.once('error', () => resolve(undefined))
      probe.listen(port, '127.0.0.1', () => {
        const bound = (probe.address() as AddressInfo).port
        probe.close(() => resolve(bound))
      })
    })
  }
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? 0
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The backend: answers with the identity headers it received. */
function echoBackend(): http.Server {
  return http.createServer((req, res) => {
    const identity = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('x-s2s-')))
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, identity }))
  })
}

/** The demo partner ("Exchange"): serves its own metadata document, as a real partner would. */
async function partnerMetadataServer(cert: CreatedCertificate): Promise<{ server: http.Server; url: string }> {
  let document = ''
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(document))
  const base = await listen(server)
  const url = `${base}/autodiscover/metadata/json/1`
  const service = { id: PARTNER_ID, name: 'Demo Exchange', realm: REALM, realmAliases: [], publicHosts: ['127.0.0.1'], metadataUrl: url }
  document = JSON.stringify(buildMetadataDocument(service, [parseSigningCertificate(cert.certPem)]))
  return { server, url }
}

async function demoTokens(partner: CreatedCertificate, publicHost: string, lifetimeSec: number): Promise<{ app: string; user: string }> {
  const now = Math.floor(Date.now() / 1000)
  const issuer = `${PARTNER_ID}@${REALM}`
  const audience = `${SERVICE_ID}/${publicHost}@${REALM}`
  const signer = { privateKey: partner.privateKey, x5t: partner.x5t }
  const app = await mintActorToken(signer, { issuer, audience, nbf: now - 300, exp: now + lifetimeSec })
  const actor = await mintActorToken(signer, { issuer, audience, nbf: now - 300, exp: now + lifetimeSec, trustedForDelegation: true })
  const user = wrapUserToken({ actorToken: actor, issuer, audience, nbf: now - 300, exp: now + lifetimeSec, user: { upn: 'alice@contoso.com', smtp: 'alice@contoso.com' } })
  return { app, user }
}

async function show(out: Out, label: string, url: string, token: string): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'x-s2s-user-upn': 'mallory@contoso.com' } })
  out(`\n${label}: HTTP ${res.status}; the backend received:`)
  out(JSON.stringify(await res.json(), null, 2))
}

export interface RunningDemo {
  gatewayUrl: string
  dir: string
  /** Ready-to-paste curl line printed at the end. */
  curl: string
  stop(): Promise<void>
}

export async function startDemo(out: Out): Promise<RunningDemo> {
  const dir = mkdtempSync(join(tmpdir(), 's2s-gateway-demo-'))
  const [own, partner] = await Promise.all([
    createSelfSignedCertificate({ subject: 'CN=s2s-gateway demo issuer' }),
    createSelfSignedCertificate({ subject: 'CN=demo exchange' }),
  ])
  writeFileSync(join(dir, 'gateway.pem'), own.certPem)
  writeFileSync(join(dir, 'gateway.key'), own.keyPem, { mode: 0o600 })
  const backend = echoBackend()
  const backendUrl = await listen(backend)
  const meta = await partnerMetadataServer(partner)
  const port = await freePort(8443)
  const publicHost = `localhost:${port}`
  const raw = {
    service: { id: SERVICE_ID, name: 'Demo legacy API', realm: REALM, publicHosts: [publicHost] },
    listen: { inbound: { host: '127.0.0.1', port }, admin: { host: '127.0.0.1', port: await freePort(9464) } },
    upstream: { url: backendUrl },
    issuer: { certificates: [{ cert: 'gateway.pem', key: 'gateway.key' }] },
    logging: { level: 'info' },
    partners: [{ name: 'exchange', metadataUrl: meta.url, allowHttp: true, trustLevel: 'full', applicationId: PARTNER_ID, realm: REALM }],
  }
  const { config } = loadConfigObject(raw, { baseDir: dir, env: {} })
  // Access lines (and any warning) printed as readable text between the demo's own output.
  const running = await startGateway(config, { logger: createLogger('info', demoLogStream(out)) })
  const base = running.inboundUrl
  out(`s2s-gateway demo: gateway ${base}, admin ${running.adminUrl}, temp files in ${dir}`)
  if (port !== 8443) out('(port 8443 was taken, so the gateway listens on another port; the tokens and the metadata URL below name it)')
  out(`Our metadata document: ${base}/metadata/json/1 (published as ${config.service.metadataUrl})`)
  out('Each request through the gateway prints an "access |" line: method, path, status, outcome, partner, auth type, user, time.')
  const tokens = await demoTokens(partner, publicHost, 3600)
  await show(out, 'App-only token from partner "exchange"', `${base}/api/items`, tokens.app)
  await show(out, 'User-context token (alice) with a spoofed x-s2s-user-upn header', `${base}/api/me`, tokens.user)
  const anon = await fetch(`${base}/api/items`)
  out(`\nNo token: HTTP ${anon.status}, WWW-Authenticate: ${anon.headers.get('www-authenticate') ?? ''}`)
  const curl = `curl -s -H 'Authorization: Bearer ${tokens.app}' ${base}/api/hello`
  out(`\nTry it yourself (token valid for 1 hour):\n${curl}\n`)
  return {
    gatewayUrl: base,
    dir,
    curl,
    async stop() {
      await running.close()
      await Promise.all([new Promise((r) => backend.close(r)), new Promise((r) => meta.server.close(r))])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function runDemo(out: Out = (line = '') => process.stdout.write(line + '\n')): Promise<void> {
  const demo = await startDemo(out)
  out('Press Ctrl-C to stop.')
  const stop = (): void => {
    void demo.stop()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
