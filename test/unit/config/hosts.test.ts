import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkCidr, normalizeAuthority } from '../../../src/config/hosts.js'
import { loadConfigObject } from '../../../src/config/index.js'
import { makeTempDir, problemsOf, validRaw, writeCertFiles } from './fixtures.js'

describe('normalizeAuthority (publicHosts)', () => {
  it.each([
    ['gw.contoso.com', 'gw.contoso.com'],
    ['GW.Contoso.COM', 'gw.contoso.com'],
    ['gw.contoso.com:443', 'gw.contoso.com'],
    ['gw.contoso.com:80', 'gw.contoso.com'],
    ['gw.contoso.com:0443', 'gw.contoso.com'],
    ['gw.contoso.com:8443', 'gw.contoso.com:8443'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.example:8443', 'xn--bcher-kva.example:8443'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]:443', '[::1]'],
    ['[2001:DB8::1]:8443', '[2001:db8::1]:8443'],
    ['gateway', 'gateway'],
  ])('stores %s as %s', (input, expected) => {
    expect(normalizeAuthority(input)).toEqual({ ok: true, value: expected })
  })

  it.each([
    ['https://gw.contoso.com', 'must be host[:port], without a scheme'],
    ['gw.contoso.com/path', 'must be host[:port] only'],
    ['user@gw.contoso.com', 'must be host[:port] only'],
    ['gw contoso', 'must be host[:port] only'],
    ['gw.contoso.com:', 'has an invalid port'],
    ['gw.contoso.com:0', 'has an invalid port'],
    ['gw.contoso.com:65536', 'has an invalid port'],
    ['gw.contoso.com:https', 'has an invalid port'],
    ['::1', 'IPv6 addresses need brackets: [::1]:8443'],
    ['[gw.contoso.com]', 'has an invalid IPv6 address'],
    ['gw..contoso.com', 'is not a valid host name'],
    ['gw.contoso.com.', 'is not a valid host name'],
    ['*.contoso.com', 'is not a valid host name'],
    ['-gw.contoso.com', 'is not a valid host name'],
  ])('refuses %s', (input, message) => {
    expect(normalizeAuthority(input)).toEqual({ ok: false, message })
  })
})

describe('checkCidr (trustedProxies)', () => {
  it.each(['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', 'fd00::/8', '2001:db8::/128'])('accepts %s', (text) => {
    expect(checkCidr(text).ok).toBe(true)
  })
  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/-1', '10.0.0.0/8/1', '10.0.0', 'proxy', '10.0.0.0/'])('refuses %s', (text) => {
    expect(checkCidr(text).ok).toBe(false)
  })
})

describe('service.publicHosts and service.metadataUrl in a configuration', () => {
  const temp = makeTempDir()
  beforeAll(() => writeCertFiles(temp.dir, 'gateway').then(() => writeCertFiles(temp.dir, 'partner')))
  afterAll(temp.remove)

  it('normalises every host, drops repeats with a warning, and derives the metadata URL from the first', () => {
    const raw = validRaw()
    raw.service.publicHosts = ['GW.Contoso.com:443', 'gw.contoso.com', 'bücher.example:8443']
    const { config, warnings } = loadConfigObject(raw, { baseDir: temp.dir })
    expect(config.service.publicHosts).toEqual(['gw.contoso.com', 'xn--bcher-kva.example:8443'])
    expect(config.service.metadataUrl).toBe('https://gw.contoso.com/metadata/json/1')
    expect(warnings).toContain('service.publicHosts[1]: repeats gw.contoso.com, ignored')
  })

  it('keeps an explicit metadata URL, and warns when Exchange would not recognise it', () => {
    const raw = validRaw()
    raw.service.metadataUrl = 'https://gw.contoso.com/s2s/metadata.json'
    const { config, warnings } = loadConfigObject(raw, { baseDir: temp.dir })
    expect(config.service.metadataUrl).toBe('https://gw.contoso.com/s2s/metadata.json')
    expect(warnings).toContain('service.metadataUrl: does not contain metadata/json/1; Exchange will not recognise it')
  })

  it('reports every bad host at its own index', () => {
    const raw = validRaw()
    raw.service.publicHosts = ['ok.contoso.com', 'https://a', 'b:0']
    expect(problemsOf(raw, temp.dir)).toEqual([
      { path: 'service.publicHosts[1]', message: 'must be host[:port], without a scheme' },
      { path: 'service.publicHosts[2]', message: 'has an invalid port' },
    ])
  })

  it('accepts http metadata URLs for loopback partners with allowHttp', () => {
    const raw = validRaw()
    Object.assign(raw.partners[0], { metadataUrl: 'http://127.0.0.1:9999/metadata/json/1', allowHttp: true })
    raw.partners.push({ name: 'local6', metadataUrl: 'http://[::1]:9999/metadata/json/1', allowHttp: true })
    raw.partners.push({ name: 'localname', metadataUrl: 'http://localhost:9999/metadata/json/1', allowHttp: true })
    expect(problemsOf(raw, temp.dir)).toEqual([])
  })
})
