// Integration (issue 7): `s2s-gateway test-partner` for a partner reached through an authorization server: the
// server's metadata step, the partner trusting the server, a token obtained from the server and a call with it
// pass; a server that refuses us or publishes no issuance endpoint fails on its own step with the reason.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../src/certs/create.js'
import { runCli } from '../../src/cli/run.js'
import { authServerEntry, startAuthServer, type AuthServer } from '../helpers/auth-server.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { baseConfig, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { SHAREPOINT_ID, startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { REALM, SERVICE_ID } from '../helpers/tokens.js'
import { captureIo } from '../unit/cli/capture.js'

let upstream: EchoUpstream
let as: AuthServer
let stub: PartnerStub
let gw: TestGateway
let file: string

function writeConfig(server: Record<string, unknown> = {}): void {
  const raw = baseConfig(gw.dir, upstream.url, {
    authorizationServers: [authServerEntry('acs', as, server)],
    partners: [{ name: 'sharepoint-online', applicationId: SHAREPOINT_ID, realm: REALM, authorizationServer: 'acs', trustLevel: 'full', outbound: { url: stub.url } }],
  })
  writeFileSync(file, stringify(raw))
}

const run = async () => {
  const io = captureIo({}, Date.now)
  const code = await runCli(['test-partner', '--config', file, '--name', 'sharepoint-online', '--path', '/_api/web'], io)
  return { code, out: io.out() }
}
const line = (out: string, title: string): string => out.split('\n').find((l) => l.slice(6).startsWith(`${title}:`)) ?? `(no "${title}" line)`

beforeAll(async () => {
  upstream = await startEchoUpstream()
  as = await startAuthServer()
  stub = await startPartnerStub({ trustAuthorizationServer: as.metadataUrl })
  gw = await startTestGateway(upstream.url)
  as.gatewayMetadataUrl = `${gw.url}/metadata/json/1`
  stub.gatewayMetadataUrl = `${gw.url}/metadata/json/1`
  file = join(gw.dir, 'test-partner-authz.yaml')
})
afterAll(async () => {
  await gw?.close()
  await Promise.all([stub?.close(), as?.close(), upstream?.close()])
})
beforeEach(() => {
  as.failWith = undefined
  writeConfig()
})

describe('test-partner through an authorization server', () => {
  it('passes every step, obtaining the token from the server', async () => {
    const before = as.requests.length
    const res = await run()
    expect(res.code, res.out).toBe(0)
    for (const title of ['configuration loads', 'partner is configured', 'our signing certificate', 'partner metadata', 'authorization server', 'partner challenge', 'partner trusts the authorization server', 'token obtained from the authorization server', 'request through the outbound path']) {
      expect(line(res.out, title), res.out).toMatch(/^PASS {2}/)
    }
    expect(line(res.out, 'authorization server')).toContain(`names ${as.issuer}, 1 signing certificate(s), issuance endpoint ${as.issuanceUrl}`)
    expect(line(res.out, 'token obtained from the authorization server')).toContain(`resource ${SHAREPOINT_ID}/${new URL(stub.url).host}@${REALM}, client_id ${SERVICE_ID}@${REALM}`)
    expect(res.out).not.toContain('token minted')
    expect(as.requests.length - before).toBe(1)
    expect(stub.accepted.at(-1)?.actor['iss']).toBe(as.issuer)
  })

  it('fails the token step with the server’s answer when it refuses us', async () => {
    as.failWith = { status: 401, error: 'invalid_client' }
    const res = await run()
    expect(res.code).toBe(1)
    expect(line(res.out, 'authorization server')).toMatch(/^PASS/)
    expect(line(res.out, 'token obtained from the authorization server')).toBe(
      `FAIL  token obtained from the authorization server: acs gave no token (status: HTTP 401 invalid_client); is the gateway registered there as ${SERVICE_ID}@${REALM} with its metadata (certificate)?`,
    )
  })

  it('token inspect --config judges a server token as the gateway does', async () => {
    const io = captureIo({}, Date.now)
    const code = await runCli(['token', 'inspect', '--config', file, as.appToken(SHAREPOINT_ID)], io)
    expect(code, io.out()).toBe(0)
    expect(io.out()).toContain(`ACCEPTED: partner sharepoint-online (${SHAREPOINT_ID}@${REALM}), app token, trust full, issued by authorization server acs`)
  })

  it("token inspect --config names the server's keys when its signature does not verify", async () => {
    const forged = await createSelfSignedCertificate({ subject: 'CN=not acs' })
    const io = captureIo({}, Date.now)
    const code = await runCli(['token', 'inspect', '--config', file, as.appToken(SHAREPOINT_ID, {}, forged.privateKey)], io)
    expect(code).toBe(1)
    expect(io.out()).toContain(`REJECTED at §4.5 signature: the RS256 signature does not verify with any key of authorization server acs (token x5t "${as.cert.x5t}"; its keys: ${as.cert.x5t})`)
  })

  it('fails the server step when its metadata cannot be fetched', async () => {
    writeConfig({ metadataUrl: `${as.url}/nowhere/metadata/json/1` })
    const res = await run()
    expect(res.code).toBe(1)
    expect(line(res.out, 'authorization server')).toBe(`FAIL  authorization server: the metadata of acs (${as.url}/nowhere/metadata/json/1) is not usable: HTTP 404`)
  })
})
