// Integration: `s2s-gateway token inspect`: decodes outer and actor tokens with readable times, reads a pasted
// header line or standard input, and with --config names the validation step that rejects a token (partner
// metadata fetched from a real server on loopback), or recognises a token the gateway issued itself.
import { writeFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run.js'
import type { CliIo } from '../../src/cli/io.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { baseConfig, metadataPartner, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { makeTestPartner, nowSec, SERVICE_ID, type TestPartner } from '../helpers/tokens.js'
import { captureIo } from '../unit/cli/capture.js'
import { call, listenWithOutbound, outboundPartner } from './outbound-call.js'

let upstream: EchoUpstream
let exchange: TestPartner
let meta: MetadataServer
let gw: TestGateway
let file: string

const inspect = async (args: string[], stdin?: string) => {
  const io: CliIo & { out(): string; err(): string } = { ...captureIo({}, Date.now), ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }) }
  const code = await runCli(['token', 'inspect', ...args], io)
  return { code, out: io.out(), err: io.err() }
}

beforeAll(async () => {
  upstream = await startEchoUpstream()
  exchange = await makeTestPartner()
  meta = await startMetadataServer(exchange)
  gw = await startTestGateway(upstream.url)
  file = join(gw.dir, 'inspect.yaml')
  writeFileSync(file, stringify(baseConfig(gw.dir, upstream.url, { partners: [metadataPartner('exchange', meta.url, { trustLevel: 'application' })] })))
})
afterAll(async () => {
  await gw?.close()
  await meta?.close()
  await upstream?.close()
})

describe('decoding', () => {
  it('shows the outer and actor claims with ISO times, from an "Authorization: Bearer" line', async () => {
    const token = exchange.userToken({ upn: 'alice@contoso.com', smtp: 'alice@contoso.com' })
    const res = await inspect([`Authorization: Bearer ${token}`])
    expect(res.code, res.err).toBe(0)
    expect(res.out).toContain('User-context token: an unsigned outer token around a signed actor token')
    expect(res.out).toContain('Outer token\n  header      {"typ":"JWT","alg":"none"}  (no signature)')
    expect(res.out).toContain(`Actor token\n  header      {"typ":"JWT","alg":"RS256","x5t":"${exchange.cert.x5t}"}`)
    expect(res.out).toContain('  upn         "alice@contoso.com"')
    expect(res.out).toMatch(/ {2}exp {9}\d+ {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 60 min\)/)
    expect(res.out).toMatch(/Validity .* valid now/)
  })

  it('reads standard input with "-" and says when a token has expired', async () => {
    const token = exchange.actorToken({ nbf: nowSec() - 7200, exp: nowSec() - 3600 })
    const res = await inspect(['-'], `${token}\n`)
    expect(res.code).toBe(0)
    expect(res.out).toContain('App-only token: a signed actor token')
    expect(res.out).toMatch(/EXPIRED/)
  })

  it.each([
    ['not a JWT', 'hello', 'the token has 1 segment(s); a JWS has 3'],
    ['an encrypted token', 'a.b.c.d.e', 'an encrypted JWE'],
    ['a payload that is not JSON', 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', 'the token payload is not base64url JSON'],
  ])('refuses %s with a clear message (exit 1)', async (_name, input, message) => {
    const res = await inspect([input])
    expect(res.code).toBe(1)
    expect(res.err).toContain(message)
  })
})

describe('--config: which step would reject it', () => {
  it('accepts a valid app-only token and names the partner', async () => {
    const res = await inspect([exchange.actorToken(), '--config', file])
    expect(res.code, res.out).toBe(0)
    expect(res.out).toContain(`ACCEPTED: partner exchange (${exchange.issuer}), app token, trust application`)
  })

  it.each([
    ['an expired token', () => exchange.actorToken({ nbf: nowSec() - 7200, exp: nowSec() - 3600 }), /REJECTED at §4\.8 time: expired: exp \d{4}-.*Z \(60 min ago\), beyond the 300 s clock skew/],
    ['a token for another host', () => exchange.actorToken({ aud: `${SERVICE_ID}/other.contoso.com@contoso.com` }), /REJECTED at §4\.6 audience: aud host "other\.contoso\.com" is not in service\.publicHosts \(gw\.contoso\.com, gw\.contoso\.com:8443\)/],
    ['a token for another realm', () => exchange.actorToken({ aud: `${SERVICE_ID}/gw.contoso.com@fabrikam.com` }), /REJECTED at §4\.6 audience: aud realm "fabrikam\.com" is not service\.realm or a realmAlias \(contoso\.com\)/],
    ['an unknown issuer', () => exchange.actorToken({ iss: 'aaaaaaaa-0000-0000-0000-000000000000@contoso.com', nameid: 'aaaaaaaa-0000-0000-0000-000000000000@contoso.com' }), /REJECTED at §4\.4 issuer: iss "aaaaaaaa-.*" names no registered partner; registered: exchange \(00000002-0000-0ff1-ce00-000000000000\)/],
    ['a wrong signature', () => exchange.actorToken({}, {}, gw.issuerCert.privateKey), /REJECTED at §4\.5 signature: the RS256 signature does not verify with any key of exchange \(token x5t ".*"; its keys: /],
    ['a user token from an application-trust partner', () => exchange.userToken({ upn: 'alice@contoso.com' }), /REJECTED at §4\.10 trust policy \(403\): exchange has trustLevel application/],
    ['nameid different from iss', () => exchange.actorToken({ nameid: 'x@contoso.com' }), /REJECTED at §4\.7 nameid: the actor's nameid "x@contoso\.com" differs from its iss/],
  ])('explains %s (exit 1)', async (_name, make, expected) => {
    const res = await inspect([make(), '--config', file])
    expect(res.code).toBe(1)
    expect(res.out).toMatch(expected)
    expect(res.out).toMatch(/\(the caller would get HTTP (401|403) \w+; the log says code GW_\w+/)
    expect(res.out).toMatch(/\(§4\.\d+ is the section of docs\/PROTOCOL\.md that describes this step\)/)
  })

  // Issue 15: "42933 min ago" is hard to read; long spans are given in hours or days.
  it('gives long spans in hours or days', async () => {
    const longExpired = exchange.actorToken({ nbf: nowSec() - 42_933 * 60 - 3600, exp: nowSec() - 42_933 * 60 })
    const expired = await inspect([longExpired, '--config', file])
    expect(expired.out).toMatch(/REJECTED at §4\.8 time: expired: exp \d{4}-.*Z \(30 days ago\), beyond/)
    const later = exchange.actorToken({ nbf: nowSec() + 5 * 3600, exp: nowSec() + 6 * 3600 })
    expect((await inspect([later, '--config', file])).out).toMatch(/REJECTED at §4\.8 time: not valid yet: nbf \d{4}-.*Z \(in 5 h\), beyond/)
  })

  it('validates as of --at', async () => {
    const token = exchange.actorToken({ nbf: nowSec() - 7200, exp: nowSec() - 3600 })
    const at = new Date((nowSec() - 5400) * 1000).toISOString()
    expect((await inspect([token, '--config', file, '--at', at])).out).toContain('ACCEPTED')
  })

  it('recognises a token this gateway issued for a partner, and checks it against our published certificate', async () => {
    const stub: PartnerStub = await startPartnerStub()
    const g = await startTestGateway(upstream.url, { listen: listenWithOutbound(), partners: [outboundPartner('sharepoint', stub.metadataUrl, stub.url)] })
    stub.gatewayMetadataUrl = `${g.url}/metadata/json/1`
    try {
      expect((await call(g.running.outboundUrl ?? '', '/sharepoint/x')).status).toBe(200)
      const ours = String(stub.accepted[0]?.headers.authorization)
      const res = await inspect([ours, '--config', file])
      expect(res.out).toContain(`iss ${SERVICE_ID}@contoso.com is this gateway: a token it issued for a call to a partner`)
      expect(res.out).toContain(`signed by our published certificate ${gw.issuerCert.x5t}`)
      expect(res.out).toMatch(/REJECTED at §4\.6 audience: aud principal "00000003-0000-0ff1-ce00-000000000000" is not our service.id/)
    } finally {
      await g.close()
      await stub.close()
    }
  })
})
