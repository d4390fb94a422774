// Unit: config rules of issue 7: authorizationServers entries, and partners that name one (exactly one key
// source, applicationId and realm required, app-only outbound, hybrid application ids).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfigObject } from '../../../src/config/index.js'
import { HR_ADDIN_ID, makeTempDir, problemsOf, validRaw, writeCertFiles } from './fixtures.js'

/** Every fixture partner lacks `permissions` (issue 10): that warning is tested in access-config.test.ts. */
const isNotPermissionsWarning = (w: string): boolean => !/^partners\[\d+\]: no permissions: /.test(w)

const EXCHANGE_ID = '00000002-0000-0ff1-ce00-000000000000'
const temp = makeTempDir()
const dir = temp.dir
beforeAll(async () => {
  await writeCertFiles(dir, 'gateway')
  await writeCertFiles(dir, 'partner')
})
afterAll(temp.remove)

/** validRaw plus an authorization server "acs" and a partner "online" that goes through it. */
function withServer(): Record<string, any> {
  const raw = validRaw()
  raw.authorizationServers = [{ name: 'acs', metadataUrl: 'https://accounts.example.net/contoso.com/metadata/json/1' }]
  raw.partners.push({ name: 'online', applicationId: EXCHANGE_ID.toUpperCase(), realm: '*', authorizationServer: 'acs', trustLevel: 'full' })
  return raw
}

describe('authorizationServers', () => {
  it('loads a server and a partner that names it, with defaults filled in and the application id lowercased', () => {
    const { config, warnings } = loadConfigObject(withServer(), { baseDir: dir, env: {} })
    expect(config.authorizationServers).toEqual([
      { name: 'acs', metadataUrl: 'https://accounts.example.net/contoso.com/metadata/json/1', allowHttp: false, tls: { insecureSkipVerify: false } },
    ])
    expect(config.partners[2]).toMatchObject({ name: 'online', authorizationServer: 'acs', applicationId: EXCHANGE_ID, realm: '*' })
    expect(warnings.filter(isNotPermissionsWarning)).toEqual([])
  })

  it('defaults to none', () => {
    expect(loadConfigObject(validRaw(), { baseDir: dir, env: {} }).config.authorizationServers).toEqual([])
  })

  it('accepts the same application id once self-issued and once through a server (Exchange hybrid)', () => {
    const raw = withServer()
    raw.partners[0].applicationId = EXCHANGE_ID
    expect(problemsOf(raw, dir)).toEqual([])
  })

  it('warns about a server no partner names', () => {
    const raw = withServer()
    raw.partners.pop()
    const { warnings } = loadConfigObject(raw, { baseDir: dir, env: {} })
    expect(warnings.filter(isNotPermissionsWarning)).toEqual(['authorizationServers[0]: no partner names "acs" in authorizationServer: none of its tokens is accepted'])
  })

  it.each<[string, (raw: Record<string, any>) => void, string, string]>([
    ['an unknown server name', (r) => (r.partners[2].authorizationServer = 'azure'), 'partners[2].authorizationServer', 'names no authorizationServers entry (configured: acs)'],
    ['a server partner without applicationId', (r) => delete r.partners[2].applicationId, 'partners[2].applicationId', 'is required when authorizationServer is given'],
    ['a server partner without realm', (r) => delete r.partners[2].realm, 'partners[2].realm', 'is required when authorizationServer is given ("*" for any of our realms)'],
    ['a server partner with a metadata URL too', (r) => (r.partners[2].metadataUrl = 'https://outlook.office365.com/autodiscover/metadata/json/1'), 'partners[2]', 'give exactly one of metadataUrl, certificates or authorizationServer, not metadataUrl and authorizationServer'],
    ['a server partner with certificates too', (r) => (r.partners[2].certificates = ['partner.pem']), 'partners[2]', 'give exactly one of metadataUrl, certificates or authorizationServer, not certificates and authorizationServer'],
    ['user calls through a server', (r) => (r.partners[2].outbound = { url: 'https://outlook.office365.com', actAsUsers: true }), 'partners[2].outbound.actAsUsers', 'calls on behalf of users through an authorization server are not supported in this version; remove it'],
    ['two partners of one server with one application id', (r) => r.partners.push({ ...r.partners[2], name: 'online2' }), 'partners[3].applicationId', 'is also the applicationId of partners[2]'],
    ['a server without metadataUrl', (r) => delete r.authorizationServers[0].metadataUrl, 'authorizationServers[0].metadataUrl', 'is required'],
    ['a server without name', (r) => delete r.authorizationServers[0].name, 'authorizationServers[0].name', 'is required'],
    ['an invalid server name', (r) => (r.authorizationServers[0].name = r.partners[2].authorizationServer = 'ACS Online'), 'authorizationServers[0].name', 'must be 1-63 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit'],
    ['an http metadata URL', (r) => (r.authorizationServers[0].metadataUrl = 'http://accounts.example.net/metadata/json/1'), 'authorizationServers[0].metadataUrl', 'must be https (or set allowHttp for a loopback host)'],
    ['allowHttp for a remote host', (r) => Object.assign(r.authorizationServers[0], { metadataUrl: 'http://10.1.2.3/metadata/json/1', allowHttp: true }), 'authorizationServers[0].metadataUrl', 'may be http only for a loopback host (127.0.0.0/8, ::1, localhost)'],
    ['an authorizationUri that is no URL', (r) => (r.authorizationServers[0].authorizationUri = 'login.windows.net'), 'authorizationServers[0].authorizationUri', 'must be an absolute https URL'],
    ['an http authorizationUri', (r) => (r.authorizationServers[0].authorizationUri = 'http://login.windows.net/common/oauth2/authorize'), 'authorizationServers[0].authorizationUri', 'must be https'],
    ['an authorizationUri with a comma', (r) => (r.authorizationServers[0].authorizationUri = 'https://login.windows.net/a,b'), 'authorizationServers[0].authorizationUri', 'must not contain quotes, backslashes, commas or whitespace (it is quoted in the challenge)'],
    ['an unknown key', (r) => (r.authorizationServers[0].issuer = 'x'), 'authorizationServers[0].issuer', 'unknown key'],
  ])('reports %s', (_label, patch, path, message) => {
    const raw = withServer()
    patch(raw)
    expect(problemsOf(raw, dir)).toEqual([{ path, message }])
  })

  it('reports a repeated server name', () => {
    const raw = withServer()
    raw.authorizationServers.push({ ...raw.authorizationServers[0] })
    expect(problemsOf(raw, dir)).toEqual([{ path: 'authorizationServers[1].name', message: 'repeats the name of authorizationServers[0]' }])
  })

  it('keeps the rule for self-issued partners: one application id once', () => {
    const raw = withServer()
    raw.partners[0].applicationId = HR_ADDIN_ID
    expect(problemsOf(raw, dir)).toEqual([{ path: 'partners[1].applicationId', message: 'is also the applicationId of partners[0]' }])
  })
})
