// Integration: rotating our own signing certificate in two steps (publish the next one second, let partners
// refetch our metadata, then move it first) causes no failed outbound call, with reloads between the steps and
// calls in flight across them. Also: skipping the publish step does fail, and the listener follows reloads.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../src/certs/create.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { call, listenWithOutbound, outboundPartner } from './outbound-call.js'
import { until } from '../helpers/until.js'

let upstream: EchoUpstream
let stub: PartnerStub
let gw: TestGateway
let out: string
let first: CreatedCertificate
let next: CreatedCertificate

type Cert = { cert: string; key?: string }
const files = (name: string, withKey = true): Cert => ({ cert: join(gw.dir, `${name}.pem`), ...(withKey ? { key: join(gw.dir, `${name}.key`) } : {}) })

function writeCert(name: string, cert: CreatedCertificate): void {
  writeFileSync(join(gw.dir, `${name}.pem`), cert.certPem)
  writeFileSync(join(gw.dir, `${name}.key`), cert.keyPem, { mode: 0o600 })
}

function config(certificates: Cert[], partners = [outboundPartner('sharepoint', stub.metadataUrl, stub.url, { actAsUsers: true })]) {
  return { listen: listenWithOutbound(), issuer: { certificates }, partners }
}

/**
 * `n` calls in parallel, alternating app-only and user. `reload`, when given, runs once a quarter of them has
 * reached the partner, so the rest straddle the swap.
 */
async function burst(n: number, reload?: () => void): Promise<number[]> {
  const before = stub.accepted.length + stub.rejections.length
  const calls = Array.from({ length: n }, (_, i) =>
    call(out, `/sharepoint/item/${i}`, i % 2 === 0 ? {} : { headers: { 'x-s2s-act-as-upn': `user${i}@contoso.com` } }),
  )
  if (reload !== undefined) {
    await until(() => stub.accepted.length + stub.rejections.length >= before + n / 4, 'a quarter of the calls to reach the partner')
    reload()
  }
  return (await Promise.all(calls)).map((r) => r.status)
}

const lastX5t = (): string | undefined => stub.accepted.at(-1)?.x5t

beforeAll(async () => {
  upstream = await startEchoUpstream()
  stub = await startPartnerStub()
  gw = await startTestGateway(upstream.url, { listen: listenWithOutbound(), partners: [outboundPartner('sharepoint', stub.metadataUrl, stub.url, { actAsUsers: true })] })
  out = gw.running.outboundUrl ?? ''
  stub.gatewayMetadataUrl = `${gw.url}/metadata/json/1`
  first = gw.issuerCert
  next = await createSelfSignedCertificate({ subject: 'CN=s2s-gateway next issuer' })
  writeCert('next', next)
})
afterAll(async () => {
  await gw?.close()
  await stub?.close()
  await upstream?.close()
})

describe('two-step rotation of our certificate', () => {
  it('never fails a call', async () => {
    await stub.refreshGatewayKeys()
    expect(stub.knownX5ts()).toEqual([first.x5t])
    expect(await burst(10)).toEqual(Array(10).fill(200))
    expect(lastX5t()).toBe(first.x5t)

    // Step 1: publish the next certificate second. The first one keeps signing.
    const published = config([files('gateway'), files('next')])
    expect(await burst(20, () => gw.reload(published))).toEqual(Array(20).fill(200))
    expect(await burst(4)).toEqual(Array(4).fill(200))
    expect(lastX5t()).toBe(first.x5t)

    // The partner refetches our metadata on its own schedule (Exchange: every 24 h) and now knows both.
    await stub.refreshGatewayKeys()
    expect(stub.knownX5ts().sort()).toEqual([first.x5t, next.x5t].sort())

    // Step 2: move it first. It signs from the next token on; no token signed by the old key is served again.
    const moved = config([files('next'), files('gateway', false)])
    expect(await burst(20, () => gw.reload(moved))).toEqual(Array(20).fill(200))
    const before = stub.accepted.length
    expect(await burst(6)).toEqual(Array(6).fill(200))
    expect(stub.accepted.slice(before).map((c) => c.x5t)).toEqual(Array(6).fill(next.x5t))

    // Later: drop the old certificate from the document.
    gw.reload(config([files('next')]))
    expect(await burst(4)).toEqual(Array(4).fill(200))
    expect(stub.rejections).toEqual([])
    expect(stub.probes).toBe(0)
  })

  it('fails when the new certificate signs before partners have seen it (why step 1 exists)', async () => {
    const rushed = await createSelfSignedCertificate({ subject: 'CN=s2s-gateway rushed issuer' })
    writeCert('rushed', rushed)
    gw.reload(config([files('rushed'), files('next', false)]))
    const res = await call(out, '/sharepoint/x')
    expect(res.status).toBe(401)
    expect(stub.rejections).toEqual(['unknown_x5t', 'unknown_x5t']) // the first try and the one retry
    await stub.refreshGatewayKeys()
    expect((await call(out, '/sharepoint/x')).status).toBe(200)
    expect(lastX5t()).toBe(rushed.x5t)
  })
})

describe('hot reload', () => {
  it('follows a changed partner list: a removed partner is 404 at once, an added one is reachable', async () => {
    const other = await startPartnerStub({ id: '00000004-0000-0ff1-ce00-000000000000' })
    other.gatewayMetadataUrl = stub.gatewayMetadataUrl
    try {
      gw.reload(config([files('rushed'), files('next', false)], [outboundPartner('lync', other.metadataUrl, other.url)]))
      expect((await call(out, '/sharepoint/x')).status).toBe(404)
      const res = await call(out, '/lync/ucwa/v1')
      expect(res.status).toBe(200)
      expect(other.accepted[0]?.url).toBe('/ucwa/v1')
    } finally {
      await other.close()
    }
  })
})
