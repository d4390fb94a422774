// Unit: forward-auth configuration (issue 13): listen.forwardAuth, forwardAuth.{trustedProxies,maxCacheSec}, and
// upstream becoming optional (forward-auth only) when the decision listener is configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfigObject } from '../../../src/config/index.js'
import { makeTempDir, problemsOf, validRaw, writeCertFiles } from './fixtures.js'

const temp = makeTempDir()
const dir = temp.dir
beforeAll(async () => {
  await Promise.all([writeCertFiles(dir, 'gateway'), writeCertFiles(dir, 'partner')])
})
afterAll(temp.remove)

const FA = { host: '127.0.0.1', port: 8445 }

describe('forward-auth configuration', () => {
  it('is off by default, with loopback trustedProxies and maxCacheSec 60', () => {
    const { config } = loadConfigObject(validRaw(), { baseDir: dir })
    expect(config.listen.forwardAuth).toBeUndefined()
    expect(config.forwardAuth).toEqual({ trustedProxies: ['127.0.0.1/32', '::1/128'], maxCacheSec: 60 })
  })

  it('fills the listener defaults', () => {
    const raw = validRaw()
    raw.listen.forwardAuth = {}
    expect(loadConfigObject(raw, { baseDir: dir }).config.listen.forwardAuth).toEqual({ host: '127.0.0.1', port: 8445, maxConnections: 1024 })
  })

  it('lets upstream be omitted only when listen.forwardAuth is set (forward-auth only: url "")', () => {
    const raw = validRaw()
    delete raw.upstream
    expect(problemsOf(raw, dir)).toEqual([{ path: 'upstream.url', message: 'is required (unless listen.forwardAuth is set)' }])
    raw.listen.forwardAuth = FA
    const { config } = loadConfigObject(raw, { baseDir: dir })
    expect(config.upstream.url).toBe('')
  })

  it.each([
    ['a port clash with inbound', (r: Record<string, any>) => { r.listen.inbound.port = 8445; r.listen.forwardAuth = FA }, 'listen.forwardAuth.port', '8445 is also the port of listen.inbound'],
    ['a bad bind address', (r: Record<string, any>) => (r.listen.forwardAuth = { host: 'not a host' }), 'listen.forwardAuth.host', 'must be an IP address or host name'],
    ['a bad trusted proxy', (r: Record<string, any>) => (r.forwardAuth = { trustedProxies: ['10.0.0.0/33'] }), 'forwardAuth.trustedProxies[0]', 'has an invalid prefix length (0-32)'],
    ['an empty trusted proxy list', (r: Record<string, any>) => (r.forwardAuth = { trustedProxies: [] }), 'forwardAuth.trustedProxies', 'must list at least one entry'],
    ['a negative maxCacheSec', (r: Record<string, any>) => (r.forwardAuth = { maxCacheSec: -1 }), 'forwardAuth.maxCacheSec', 'must be between 0 and 86400'],
  ])('refuses %s', (_what, edit, path, message) => {
    const raw = validRaw()
    edit(raw)
    expect(problemsOf(raw, dir)).toEqual([{ path, message }])
  })

  it('warns about a listener off loopback and a /0 in trustedProxies', () => {
    const raw = validRaw()
    raw.listen.forwardAuth = { host: '0.0.0.0' }
    raw.forwardAuth = { trustedProxies: ['0.0.0.0/0'] }
    const { warnings } = loadConfigObject(raw, { baseDir: dir })
    expect(warnings.filter((w) => w.includes('forwardAuth'))).toEqual([
      expect.stringMatching(/^listen\.forwardAuth\.host: 0\.0\.0\.0 is not loopback/),
      expect.stringMatching(/^forwardAuth\.trustedProxies: contains a \/0/),
    ])
  })
})
