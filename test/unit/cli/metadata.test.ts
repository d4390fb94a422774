import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { runCli } from '../../../src/cli/run.js'
import { SERVICE_ID, makeTempDir, validRaw, writeCertFiles, type CertFiles } from '../config/fixtures.js'
import { captureIo } from './capture.js'

const temp = makeTempDir()
let gateway: CertFiles
beforeAll(async () => {
  gateway = await writeCertFiles(temp.dir, 'gateway')
  await writeCertFiles(temp.dir, 'partner')
})
afterAll(temp.remove)

describe('s2s-gateway metadata', () => {
  it('prints the document the gateway publishes', async () => {
    const raw = validRaw()
    raw.service.publicHosts = ['gw.contoso.com:8443']
    const file = join(temp.dir, 'gateway.yaml')
    writeFileSync(file, stringify(raw))
    const io = captureIo()
    expect(await runCli(['metadata', '--config', file], io)).toBe(0)
    const doc = JSON.parse(io.out())
    expect(doc).toMatchObject({
      version: '1.0',
      realm: 'contoso.com',
      serviceName: SERVICE_ID,
      issuer: `${SERVICE_ID}@contoso.com`,
      keys: [{ usage: 'signing', keyinfo: { x5t: gateway.created.x5t }, keyvalue: { type: 'x509Certificate', value: gateway.created.der.toString('base64') } }],
      endpoints: [{ location: 'https://gw.contoso.com:8443/metadata/json/1', protocol: 'OAuth2', usage: 'metadata' }],
    })
  })

  it('exits 78 and lists the problems of a bad configuration on stderr', async () => {
    const raw = validRaw()
    delete raw.issuer
    const file = join(temp.dir, 'bad.yaml')
    writeFileSync(file, stringify(raw))
    const io = captureIo()
    expect(await runCli(['metadata', '--config', file], io)).toBe(78)
    expect(io.out()).toBe('')
    expect(io.err()).toBe('s2s-gateway metadata: 1 configuration problem:\n  issuer.certificates: is required\n')
  })
})

describe('s2s-gateway serve', () => {
  it('exits 78 with every problem when the configuration is bad, before listening', async () => {
    const file = join(temp.dir, 'serve-bad.yaml')
    writeFileSync(file, 'service: {}\n')
    const io = captureIo()
    expect(await runCli(['serve', '--config', file], io)).toBe(78)
    expect(io.err()).toContain('  service.id: is required')
    expect(io.err()).toContain('  upstream.url: is required')
  })
})
