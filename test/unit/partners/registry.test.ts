import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { CreatedCertificate } from '../../../src/certs/create.js'
import type { PartnerConfig } from '../../../src/schema/types.js'
import { createPartnerRegistry, PartnerRegistryError } from '../../../src/partners/registry.js'
import type { PartnerRegistry } from '../../../src/partners/types.js'
import { exchangeShape, SHAREPOINT_ID, sharePointShape, testCertificates } from '../../helpers/metadata-docs.js'
import { METADATA, fakeClock, fakeFetch, partnerConfig, recordingLogger } from '../../helpers/metadata-fakes.js'
import { EXCHANGE_ID } from '../../helpers/tokens.js'

const HR_ID = '11111111-2222-3333-4444-555555555555'
let a: CreatedCertificate
let b: CreatedCertificate
let files: Record<string, string>
beforeAll(async () => {
  ;[a, b] = (await testCertificates(2)) as [CreatedCertificate, CreatedCertificate]
  files = { '/certs/a.pem': a.certPem, '/certs/b.pem': b.certPem, '/certs/ca.pem': b.certPem, '/certs/junk.pem': 'not a cert' }
})

const opened: PartnerRegistry[] = []
afterEach(() => {
  opened.splice(0).forEach((r) => r.close())
  vi.useRealTimers()
})

const readFake = (path: string): string => {
  const text = files[path]
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
  return text
}

function staticConfig(overrides: Partial<PartnerConfig> = {}): PartnerConfig {
  const config = partnerConfig({ name: 'hr-addin', applicationId: HR_ID.toUpperCase(), realm: 'contoso.com', certificates: ['/certs/a.pem'], ...overrides })
  delete config.metadataUrl
  return config
}

function build(configs: PartnerConfig[], answer: unknown = exchangeShape({ id: EXCHANGE_ID, realm: 'contoso.com', certs: [a] })) {
  const fetch = fakeFetch(answer)
  const log = recordingLogger()
  const registry = createPartnerRegistry(configs, { metadata: METADATA, now: fakeClock().now, fetchDocument: fetch, log, loadCertificateFile: readFake })
  opened.push(registry)
  return { registry, fetch, log }
}

describe('createPartnerRegistry', () => {
  it('is side-effect free until loadAll: no fetch, no timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { registry, fetch } = build([partnerConfig(), staticConfig()])
    expect(fetch.calls).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    expect(registry.all().map((p) => p.name)).toEqual(['exchange', 'hr-addin'])
  })

  it('loads static partners from their certificate files', () => {
    const { registry } = build([staticConfig({ certificates: ['/certs/a.pem', '/certs/b.pem'] })])
    const hr = registry.findById(HR_ID)
    expect(hr?.keys()?.all.map((k) => k.x5t)).toEqual([a.x5t, b.x5t])
    expect(hr?.identity()).toEqual({ id: HR_ID, realm: 'contoso.com' })
  })

  it.each([
    ['a missing certificate file', '/certs/missing.pem', 'partner hr-addin: cannot read /certs/missing.pem'],
    ['a file that is not a certificate', '/certs/junk.pem', 'partner hr-addin: /certs/junk.pem: not a valid X.509 certificate'],
  ])('refuses %s with a PartnerRegistryError naming partner and path', (_label, path, message) => {
    expect(() => build([staticConfig({ certificates: [path] })])).toThrow(new PartnerRegistryError(message))
  })

  it('reads a partner tls.caFile and hands it to the fetcher', async () => {
    const { registry, fetch } = build([partnerConfig({ tls: { caFile: '/certs/ca.pem', insecureSkipVerify: false } })])
    await registry.loadAll()
    expect(fetch.lastOptions?.caPem).toBe(b.certPem)
  })
})

describe('findById', () => {
  it('finds config ids at once and unpinned metadata partners once their document identified them', async () => {
    const pinned = partnerConfig({ name: 'sharepoint', applicationId: SHAREPOINT_ID, metadataUrl: 'https://sp.contoso.com/_layouts/15/metadata/json/1' })
    const { registry } = build([partnerConfig(), pinned, staticConfig()])
    expect(registry.findById(HR_ID)?.name).toBe('hr-addin')
    expect(registry.findById(SHAREPOINT_ID)?.name).toBe('sharepoint')
    expect(registry.findById(EXCHANGE_ID)).toBeUndefined()
    expect(registry.hasUnidentifiedPartners()).toBe(true)
    await registry.loadAll()
    expect(registry.findById(EXCHANGE_ID)?.name).toBe('exchange')
    expect(registry.hasUnidentifiedPartners()).toBe(false)
    expect(registry.findById('00000004-0000-0ff1-ce00-000000000000')).toBeUndefined()
  })

  it('counts a partner pinned by applicationId alone as unknown until its document names its realm', async () => {
    const byIdAlone = partnerConfig({ applicationId: EXCHANGE_ID })
    const { registry, fetch } = build([byIdAlone, staticConfig()], new Error('down'))
    expect(registry.hasUnidentifiedPartners()).toBe(false) // its id is known: no unknown issuer can be its
    expect(registry.hasUnknownIdentities()).toBe(true) // but its realm is not
    await registry.loadAll()
    expect(registry.hasUnknownIdentities()).toBe(true)
    fetch.answer = exchangeShape({ id: EXCHANGE_ID, realm: 'contoso.com', certs: [a] })
    await registry.all()[0]?.refreshNow()
    expect(registry.hasUnknownIdentities()).toBe(false)
    expect(build([partnerConfig({ applicationId: EXCHANGE_ID, realm: 'contoso.com' }), staticConfig()]).registry.hasUnknownIdentities()).toBe(false)
  })

  it('lets the first registered partner win when two config ids collide, and logs it once', () => {
    const { registry, log } = build([staticConfig(), staticConfig({ name: 'hr-addin-2', certificates: ['/certs/b.pem'] })])
    expect(registry.findById(HR_ID)?.name).toBe('hr-addin')
    registry.findById(HR_ID)
    const conflicts = log.records.filter((r) => r.msg === 'several partners claim the same principal id')
    expect(conflicts).toHaveLength(1)
    expect(conflicts[0]?.obj).toMatchObject({ id: HR_ID, partners: ['hr-addin', 'hr-addin-2'], using: 'hr-addin' })
  })

  it('never lets a document claim an id that config gave to another partner', async () => {
    const sneaky = partnerConfig({ name: 'sneaky' })
    const { registry, log } = build([sneaky, staticConfig()], sharePointShape({ id: HR_ID, realm: 'contoso.com', certs: [b] }))
    await registry.loadAll()
    expect(registry.findById(HR_ID)?.name).toBe('hr-addin')
    expect(log.records.some((r) => r.msg === 'several partners claim the same principal id')).toBe(true)
  })
})

describe('loadAll', () => {
  it('loads every metadata partner in parallel and never rejects', async () => {
    const configs = [partnerConfig(), partnerConfig({ name: 'broken', metadataUrl: 'https://broken.contoso.com/metadata/json/1' })]
    const fetch = fakeFetch((call: number) => (call === 1 ? exchangeShape({ id: EXCHANGE_ID, realm: 'contoso.com', certs: [a] }) : new Error('down')))
    fetch.held = true
    const registry = createPartnerRegistry(configs, { metadata: METADATA, now: fakeClock().now, fetchDocument: fetch })
    opened.push(registry)
    const done = registry.loadAll()
    await Promise.resolve()
    expect(fetch.calls).toBe(2) // both started before either answered
    fetch.release()
    await expect(done).resolves.toBeUndefined()
    expect(registry.all().map((p) => p.state())).toEqual(['ok', 'failed'])
  })
})
