// Integration (issue 15, defect 2): the inbound listener's TLS certificate follows a reload. Real TLS on
// 127.0.0.1: after the files are replaced and POST /reload succeeds, a new connection sees the new certificate's
// serial and /metrics the new expiry (owner="inbound-tls"); a bad pair is refused with its reason, and the old
// certificate keeps serving. With `serve --watch`, replacing the files alone reloads.
import { X509Certificate } from 'node:crypto'
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { stringify } from 'yaml'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../src/certs/create.js'
import { startServing } from '../../src/main.js'
import { startEchoUpstream } from '../helpers/echo-upstream.js'
import { baseConfig } from '../helpers/gateway.js'
import { eventually, startWorldForTest, valueOf, type OperatingWorld } from './operating-fixture.js'

const OWNER = 'inbound-tls'
let dir: string
let first: CreatedCertificate
let second: CreatedCertificate

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's2s-gw-tls-'))
  ;[first, second] = await Promise.all([
    createSelfSignedCertificate({ subject: 'CN=localhost', days: 90 }),
    createSelfSignedCertificate({ subject: 'CN=localhost', days: 400 }),
  ])
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const serialOf = (cert: CreatedCertificate): string => new X509Certificate(cert.certPem).serialNumber.toUpperCase()
const expiryOf = (cert: CreatedCertificate): number => Math.floor(cert.notAfter.getTime() / 1000)

function writeTls(cert: CreatedCertificate, key: CreatedCertificate = cert): void {
  writeFileSync(join(dir, 'tls.pem'), cert.certPem)
  writeFileSync(join(dir, 'tls.key'), key.keyPem, { mode: 0o600 })
}

/** A fresh TLS handshake with the inbound listener: the serial of the certificate it presents. */
function presentedSerial(url: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().serialNumber.toUpperCase())
      socket.end()
    })
    socket.once('error', reject)
  })
}

/** One request over HTTPS, trusting exactly `cert`. */
function get(url: string, cert: CreatedCertificate): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${url}/metadata/json/1`, { ca: cert.certPem, servername: 'localhost', agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.once('error', reject)
  })
}

async function tlsWorld(): Promise<OperatingWorld> {
  writeTls(first)
  const listen = {
    inbound: { host: '127.0.0.1', port: 0, tls: { cert: join(dir, 'tls.pem'), key: join(dir, 'tls.key') } },
    admin: { host: '127.0.0.1', port: 0 },
  }
  return startWorldForTest({ overrides: () => ({ listen }) })
}

const reload = (w: OperatingWorld): Promise<Response> => fetch(`${w.gw.adminUrl}/reload`, { method: 'POST' })

describe('inbound TLS certificate on reload', () => {
  it('serves the replaced certificate to new connections and exports its expiry', async () => {
    const w = await tlsWorld()
    expect(w.gw.url).toMatch(/^https:/)
    expect(await presentedSerial(w.gw.url)).toBe(serialOf(first))
    expect(await get(w.gw.url, first)).toBe(200)
    expect(valueOf(await w.scrape(), 's2s_gateway_certificate_expiry_timestamp_seconds', { owner: OWNER, x5t: first.x5t })).toBe(expiryOf(first))

    writeTls(second)
    const res = await reload(w)
    expect(res.status).toBe(200)
    expect(await presentedSerial(w.gw.url)).toBe(serialOf(second))
    expect(await get(w.gw.url, second)).toBe(200)
    const samples = await w.scrape()
    expect(valueOf(samples, 's2s_gateway_certificate_expiry_timestamp_seconds', { owner: OWNER, x5t: second.x5t })).toBe(expiryOf(second))
    expect(valueOf(samples, 's2s_gateway_certificate_expiry_timestamp_seconds', { owner: OWNER, x5t: first.x5t })).toBeUndefined()
    expect(w.gw.logs().find((l) => l['msg'] === 'inbound TLS certificate replaced for new connections')).toMatchObject({ x5t: second.x5t })
  })

  it('refuses a key that does not belong to the certificate, with the reason, and keeps serving the old pair', async () => {
    const w = await tlsWorld()
    writeTls(second, first)
    const res = await reload(w)
    expect(res.status).toBe(422)
    const body = (await res.json()) as { problems: Array<{ path: string; message: string }> }
    expect(body.problems).toEqual([{ path: 'listen.inbound.tls.key', message: expect.stringContaining('does not belong to') as unknown as string }])
    expect(await presentedSerial(w.gw.url)).toBe(serialOf(first))
    expect(valueOf(await w.scrape(), 's2s_gateway_certificate_expiry_timestamp_seconds', { owner: OWNER, x5t: first.x5t })).toBe(expiryOf(first))
  })

  it('refuses a certificate file that is not a certificate', async () => {
    const w = await tlsWorld()
    writeFileSync(join(dir, 'tls.pem'), 'not a certificate\n')
    const res = await reload(w)
    expect(res.status).toBe(422)
    expect(((await res.json()) as { problems: Array<{ path: string }> }).problems.map((p) => p.path)).toEqual(['listen.inbound.tls.cert'])
    expect(await presentedSerial(w.gw.url)).toBe(serialOf(first))
  })
})

describe('serve --watch', () => {
  it('reloads when the TLS files change, though the configuration file did not', async () => {
    // The TLS files in a directory of their own, replaced by rename as a mounted Kubernetes Secret is.
    const tlsDir = join(dir, 'tls')
    mkdirSync(tlsDir, { recursive: true })
    const put = (cert: CreatedCertificate): void => {
      writeFileSync(join(tlsDir, 'next.pem'), cert.certPem)
      writeFileSync(join(tlsDir, 'next.key'), cert.keyPem, { mode: 0o600 })
      renameSync(join(tlsDir, 'next.key'), join(tlsDir, 'tls.key'))
      renameSync(join(tlsDir, 'next.pem'), join(tlsDir, 'tls.pem'))
    }
    put(first)
    const issuer = await createSelfSignedCertificate({ subject: 'CN=watch test issuer' })
    writeFileSync(join(dir, 'gateway.pem'), issuer.certPem)
    writeFileSync(join(dir, 'gateway.key'), issuer.keyPem, { mode: 0o600 })
    const upstream = await startEchoUpstream()
    onTestFinished(() => upstream.close())
    const configFile = join(dir, 'gateway.yaml')
    const listen = {
      inbound: { host: '127.0.0.1', port: 0, tls: { cert: join(tlsDir, 'tls.pem'), key: join(tlsDir, 'tls.key') } },
      admin: { host: '127.0.0.1', port: 0 },
    }
    writeFileSync(configFile, stringify(baseConfig(dir, upstream.url, { listen })))
    const quiet = new Writable({ write(_chunk, _enc, done) { done() } })
    const serving = await startServing({ configPath: configFile, env: {}, watch: true, logDestination: quiet })
    onTestFinished(() => serving.close())
    expect(await presentedSerial(serving.running.inboundUrl)).toBe(serialOf(first))
    put(second)
    await eventually(async () => (await presentedSerial(serving.running.inboundUrl)) === serialOf(second))
    const metrics = await (await fetch(`${serving.running.adminUrl}/metrics`)).text()
    expect(metrics).toContain(`s2s_gateway_certificate_expiry_timestamp_seconds{owner="inbound-tls",x5t="${second.x5t}"} ${expiryOf(second)}`)
  })
})
