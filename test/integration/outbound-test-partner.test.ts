// Integration: `s2s-gateway test-partner` against a partner stub on loopback. A healthy partnership passes every
// step (exit 0); each broken piece (metadata down, partner rejects our token, wrong realm, partner down, bad
// config, our expiring certificate) fails with a precise message on its own step.
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { createSelfSignedCertificate } from '../../src/certs/create.js'
import { runCli } from '../../src/cli/run.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { baseConfig, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { SERVICE_ID } from '../helpers/tokens.js'
import { captureIo } from '../unit/cli/capture.js'
import { outboundPartner } from './outbound-call.js'

let upstream: EchoUpstream
let stub: PartnerStub
let gw: TestGateway
let file: string

/** Write the config test-partner reads: the test gateway's own issuer files, so the stub trusts what it publishes. */
function writeConfig(partner: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): void {
  const raw = baseConfig(gw.dir, upstream.url, { partners: [{ ...outboundPartner('sharepoint', stub.metadataUrl, stub.url, { actAsUsers: true }), ...partner }], ...extra })
  writeFileSync(file, stringify(raw))
}

const run = async (...argv: string[]) => {
  const io = captureIo({}, Date.now)
  const code = await runCli(['test-partner', '--config', file, '--name', 'sharepoint', ...argv], io)
  return { code, out: io.out(), err: io.err() }
}
const line = (out: string, title: string): string => out.split('\n').find((l) => l.slice(6).startsWith(`${title}:`)) ?? `(no "${title}" line)`

beforeAll(async () => {
  upstream = await startEchoUpstream()
  stub = await startPartnerStub()
  gw = await startTestGateway(upstream.url)
  stub.gatewayMetadataUrl = `${gw.url}/metadata/json/1`
  file = join(gw.dir, 'test-partner.yaml')
  writeFileSync(join(gw.dir, 'partner.pem'), stub.identity.cert.certPem)
  writeFileSync(join(gw.dir, 'partner.key'), stub.identity.cert.keyPem, { mode: 0o600 })
})
afterAll(async () => {
  await gw?.close()
  await stub?.close()
  await upstream?.close()
})
beforeEach(() => {
  stub.metadataDown = false
  stub.rejectAll = undefined
  writeConfig()
})

describe('a healthy partnership', () => {
  it('passes every step and exits 0', async () => {
    const res = await run('--path', '/_api/web', '--user-upn', 'alice@contoso.com', '--inbound', '--partner-key', join(gw.dir, 'partner.key'), '--partner-cert', join(gw.dir, 'partner.pem'))
    expect(res.code, res.out).toBe(0)
    for (const title of [
      'configuration loads', 'partner is configured', 'our signing certificate', 'partner metadata', 'partner challenge', 'partner lists the gateway',
      'token minted', 'request through the outbound path', 'request on behalf of the user', 'partner certificate trusted by the gateway',
      'inbound app-only token accepted', 'inbound user token accepted',
    ]) {
      expect(line(res.out, title)).toMatch(/^PASS {2}/)
    }
    expect(line(res.out, 'partner lists the gateway')).toContain(`trusted_issuers lists ${SERVICE_ID}@contoso.com`)
    expect(line(res.out, 'request on behalf of the user')).toContain('as alice@contoso.com (user token')
    expect(res.out).toContain('test-partner: every step passed (12 steps)')
    expect(stub.accepted.map((c) => [c.url, c.authType])).toEqual(expect.arrayContaining([['/_api/web', 'app'], ['/_api/web', 'user']]))
  })
})

describe("the partner's metadata host", () => {
  it('is fetched with the partner\'s tls.caFile, as the gateway fetches it', async () => {
    const tls = await createSelfSignedCertificate({ subject: 'CN=localhost' })
    const document = await (await fetch(stub.metadataUrl)).text()
    const server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(document))
    await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve))
    onTestFinished(() => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }))
    writeFileSync(join(gw.dir, 'metadata-ca.pem'), tls.certPem)
    const metadataUrl = `https://localhost:${(server.address() as AddressInfo).port}/metadata/json/1`
    writeConfig({ metadataUrl, allowHttp: false, tls: { caFile: 'metadata-ca.pem' } })
    const res = await run()
    expect(line(res.out, 'partner metadata')).toMatch(new RegExp(`^PASS {2}partner metadata: ${metadataUrl} names `))
  })
})

// Issue 15 defect 1: a partner without an outbound section only calls us; test-partner must not fail it for that.
describe('what the partner is configured for', () => {
  it('checks an inbound-only partner without flags: says so, runs no outbound step, exits 0', async () => {
    writeConfig({ outbound: undefined })
    const res = await run()
    expect(res.code, res.out).toBe(0)
    expect(line(res.out, 'partner is configured')).toMatch(/^PASS {2}partner is configured: inbound only \(it calls the gateway; no outbound section/)
    expect(line(res.out, 'partner metadata')).toMatch(/^PASS/)
    for (const title of ['our signing certificate', 'partner challenge', 'token minted', 'request through the outbound path']) expect(res.out).not.toContain(`${title}:`)
    expect(res.out).toContain('--inbound --partner-key <pem> --partner-cert <pem>')
    expect(res.out).toContain('test-partner: every step passed (3 steps)')
  })

  it('runs the inbound token steps for an inbound-only partner with --inbound', async () => {
    writeConfig({ outbound: undefined })
    const res = await run('--inbound', '--partner-key', join(gw.dir, 'partner.key'), '--partner-cert', join(gw.dir, 'partner.pem'))
    expect(res.code, res.out).toBe(0)
    expect(line(res.out, 'inbound app-only token accepted')).toMatch(/^PASS {2}inbound app-only token accepted: an app token from /)
  })

  it('says a partner with an outbound section is configured for both directions', async () => {
    const res = await run()
    expect(line(res.out, 'partner is configured')).toMatch(/^PASS {2}partner is configured: inbound and outbound: trust full; outbound http:/)
  })
})

describe('a broken partnership', () => {
  it('names the metadata URL and the HTTP status when the partner metadata is down', async () => {
    stub.metadataDown = true
    const res = await run()
    expect(res.code).toBe(1)
    expect(line(res.out, 'partner metadata')).toBe(`FAIL  partner metadata: cannot fetch ${stub.metadataUrl}: HTTP 503`)
    expect(res.out).toContain('test-partner: 1 of 8 steps failed: partner metadata')
  })

  it('quotes the partner\'s own reason when it rejects our token', async () => {
    stub.rejectAll = 'issuer_not_trusted'
    const res = await run()
    expect(res.code).toBe(1)
    expect(line(res.out, 'request through the outbound path')).toMatch(/^FAIL {2}request through the outbound path: the partner rejected our token: HTTP 401 to GET \/ as the application \(app token, aud .*\), after a challenge probe and one retry$/)
    expect(res.out).toContain('error invalid_token')
    expect(res.out).toContain('x-ms-diagnostics: 3000003;reason="issuer_not_trusted"')
  })

  it('says which issuer the partner trusts when we sign under the wrong realm', async () => {
    writeConfig({ outbound: { url: stub.url, issuerRealm: 'wrong.example' } })
    const res = await run()
    expect(res.code).toBe(1)
    expect(line(res.out, 'partner lists the gateway')).toBe(
      `FAIL  partner lists the gateway: trusted_issuers lists ${SERVICE_ID}@contoso.com but not ${SERVICE_ID}@wrong.example: register the gateway at the partner by its metadata URL (https://gw.contoso.com/metadata/json/1), or set outbound.issuerRealm to the realm the partner registered us under`,
    )
    expect(line(res.out, 'request through the outbound path')).toMatch(/^FAIL {2}.*the partner rejected our token: HTTP 401/)
    expect(res.out).toContain('reason="issuer_not_trusted"')
  })

  it('reports an unreachable partner on the challenge and request steps', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    writeConfig({ outbound: { url } })
    const res = await run()
    expect(res.code).toBe(1)
    expect(line(res.out, 'partner challenge')).toMatch(new RegExp(`^FAIL {2}partner challenge: ${url}/ is unreachable: refused`))
    expect(line(res.out, 'request through the outbound path')).toMatch(/^FAIL {2}.* is unreachable: refused/)
  })

  it('fails a user call for a partner that does not allow acting as users', async () => {
    writeConfig({ outbound: { url: stub.url } })
    const res = await run('--user-upn', 'alice@contoso.com')
    expect(line(res.out, 'request on behalf of the user')).toBe('FAIL  request on behalf of the user: outbound.actAsUsers is not set for sharepoint: calls on behalf of users get 403')
  })

  it('explains why our validator would refuse the partner\'s own tokens (--inbound)', async () => {
    writeConfig({ trustLevel: 'application' })
    const res = await run('--user-upn', 'alice@contoso.com', '--inbound', '--partner-key', join(gw.dir, 'partner.key'), '--partner-cert', join(gw.dir, 'partner.pem'))
    expect(line(res.out, 'inbound app-only token accepted')).toMatch(/^PASS/)
    expect(line(res.out, 'inbound user token accepted')).toMatch(/would get HTTP 403, at §4\.10 trust policy \(403\): sharepoint has trustLevel application/)
    const other = await createSelfSignedCertificate({ subject: 'CN=not the partner' })
    writeFileSync(join(gw.dir, 'other.pem'), other.certPem)
    writeFileSync(join(gw.dir, 'other.key'), other.keyPem)
    const wrong = await run('--inbound', '--partner-key', join(gw.dir, 'other.key'), '--partner-cert', join(gw.dir, 'other.pem'))
    expect(line(wrong.out, 'partner certificate trusted by the gateway')).toMatch(new RegExp(`^FAIL {2}.*${other.x5t} is not among the keys the gateway trusts for sharepoint`))
    expect(line(wrong.out, 'inbound app-only token accepted')).toMatch(/would get HTTP 401, at §4\.5 signature: the RS256 signature does not verify with any key of sharepoint/)
    expect(line(wrong.out, 'inbound app-only token accepted')).toMatch(/, also after one metadata refetch$/)
  })

  // Issue 15 defect 10: a partner registered by certificate file has no metadata to refetch.
  it('does not speak of a metadata refetch for a partner registered by certificate file (--inbound, wrong key)', async () => {
    const other = await createSelfSignedCertificate({ subject: 'CN=not the partner either' })
    writeFileSync(join(gw.dir, 'other2.pem'), other.certPem)
    writeFileSync(join(gw.dir, 'other2.key'), other.keyPem)
    writeConfig({ metadataUrl: undefined, allowHttp: undefined, applicationId: stub.identity.id, realm: stub.identity.realm, certificates: ['partner.pem'] })
    const res = await run('--inbound', '--partner-key', join(gw.dir, 'other2.key'), '--partner-cert', join(gw.dir, 'other2.pem'))
    const inbound = line(res.out, 'inbound app-only token accepted')
    expect(inbound).toMatch(/^FAIL {2}inbound app-only token accepted: an app token from .* would get HTTP 401, at §4\.5 signature: the RS256 signature does not verify with any key of sharepoint/)
    expect(inbound).toContain('(certificate files: no metadata to refetch)')
    expect(inbound).not.toContain('also after one metadata refetch')
  })

  it('lists configuration problems and exits 78 when the file does not load', async () => {
    writeConfig({ outbound: { url: 'http://partner.example' } })
    const res = await run()
    expect(res.code).toBe(78)
    expect(line(res.out, 'configuration loads')).toMatch(/^FAIL {2}configuration loads: 1 problem\(s\) in /)
    expect(res.out).toContain('partners[0].outbound.url: must be https')
  })

  it('fails our certificate step within 30 days of its expiry', async () => {
    const soon = await createSelfSignedCertificate({ notBefore: new Date(Date.now() - 86_400_000), days: 10 })
    writeFileSync(join(gw.dir, 'soon.pem'), soon.certPem)
    writeFileSync(join(gw.dir, 'soon.key'), soon.keyPem, { mode: 0o600 })
    writeConfig({}, { issuer: { certificates: [{ cert: join(gw.dir, 'soon.pem'), key: join(gw.dir, 'soon.key') }] } })
    const res = await run()
    expect(line(res.out, 'our signing certificate')).toMatch(new RegExp(`^FAIL {2}our signing certificate: the signing certificate ${soon.x5t} expires in 8 days \\(< 30\\)`))
  })

  it('fails for a partner name that is not configured', async () => {
    const io = captureIo({}, Date.now)
    expect(await runCli(['test-partner', '--config', file, '--name', 'nobody'], io)).toBe(1)
    expect(line(io.out(), 'partner is configured')).toBe('FAIL  partner is configured: no partner named "nobody" (configured: sharepoint)')
  })
})
