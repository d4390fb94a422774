// Unit: the outbound keys of the configuration (listen.outbound, partners[].outbound): defaults, computed
// values, and every refusal, in particular no unauthenticated listener off loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfigObject } from '../../../src/config/index.js'
import { makeTempDir, problemsOf, validRaw, writeCertFiles } from '../config/fixtures.js'

const temp = makeTempDir()
beforeAll(async () => {
  await writeCertFiles(temp.dir, 'gateway')
  await writeCertFiles(temp.dir, 'partner')
  writeFileSync(join(temp.dir, 'not-a-ca.pem'), 'hello')
})
afterAll(temp.remove)

/** validRaw() with listen.outbound and an outbound section on the exchange partner. */
function rawWith(listenOutbound: unknown, outbound: unknown): Record<string, any> {
  const raw = validRaw()
  if (listenOutbound !== undefined) raw.listen.outbound = listenOutbound
  if (outbound !== undefined) raw.partners[0].outbound = outbound
  return raw
}

describe('defaults', () => {
  it('starts no outbound listener unless listen.outbound is given', () => {
    const { config } = loadConfigObject(validRaw(), { baseDir: temp.dir })
    expect(config.listen.outbound).toBeUndefined()
    expect(config.partners[0]?.outbound).toBeUndefined()
  })

  it('fills listen.outbound and a partner outbound section with their defaults and computed values', () => {
    const { config } = loadConfigObject(rawWith({}, { url: 'https://Mail.Contoso.com:443/ews' }), { baseDir: temp.dir })
    expect(config.listen.outbound).toEqual({ host: '127.0.0.1', port: 8444, maxConnections: 1024 })
    expect(config.partners[0]?.outbound).toEqual({
      url: 'https://Mail.Contoso.com:443/ews',
      audienceHost: 'mail.contoso.com',
      issuerRealm: 'contoso.com',
      tokenLifetimeSec: 3600,
      actAsUsers: false,
      timeoutMs: 30_000,
      dateFormat: 'number',
    })
  })

  it('keeps a non-default port in the audience host, and normalises an explicit one', () => {
    const a = loadConfigObject(rawWith(undefined, { url: 'https://mail.contoso.com:8443' }), { baseDir: temp.dir })
    expect(a.config.partners[0]?.outbound?.audienceHost).toBe('mail.contoso.com:8443')
    const b = loadConfigObject(rawWith(undefined, { url: 'https://10.0.0.5', audienceHost: 'MAIL.contoso.com:443', issuerRealm: 'Fabrikam.COM' }), { baseDir: temp.dir })
    expect(b.config.partners[0]?.outbound).toMatchObject({ audienceHost: 'mail.contoso.com', issuerRealm: 'fabrikam.com' })
  })

  it('accepts a shared secret on a non-loopback address', () => {
    const { config } = loadConfigObject(rawWith({ host: '0.0.0.0', sharedSecret: '${SECRET}' }, { url: 'https://mail.contoso.com' }), {
      baseDir: temp.dir,
      env: { SECRET: 'a-long-enough-secret' },
    })
    expect(config.listen.outbound).toEqual({ host: '0.0.0.0', port: 8444, maxConnections: 1024, sharedSecret: 'a-long-enough-secret' })
  })

  it('warns when the listener has no partner to call', () => {
    const { warnings } = loadConfigObject(rawWith({}, undefined), { baseDir: temp.dir })
    expect(warnings).toContain('listen.outbound: no partner has an outbound section: every call will get 404')
  })
})

describe('refusals', () => {
  it.each([
    ['a non-loopback listener without secret', { host: '0.0.0.0' }, undefined, 'listen.outbound.host', '0.0.0.0 is not loopback: set listen.outbound.sharedSecret (callers send it in x-s2s-outbound-secret)'],
    ['a short secret', { sharedSecret: 'short' }, undefined, 'listen.outbound.sharedSecret', 'must be at least 16 characters'],
    ['a secret ending in a newline', { sharedSecret: 'a-long-enough-secret\n' }, undefined, 'listen.outbound.sharedSecret', 'must not start or end with whitespace or contain control characters (the value is not shown)'],
    ['a bad host', { host: 'not a host' }, undefined, 'listen.outbound.host', 'must be an IP address or host name'],
    ['the inbound port', { port: 7000 }, undefined, 'listen.outbound.port', '7000 is also the port of listen.inbound'],
    ['a port above 65535', { port: 70_000 }, undefined, 'listen.outbound.port', 'must be between 0 and 65535'],
    ['an unknown listener key', { secret: 'x' }, undefined, 'listen.outbound.secret', 'unknown key'],
    ['a partner without url', {}, {}, 'partners[0].outbound.url', 'is required'],
    ['plain http off loopback', {}, { url: 'http://mail.contoso.com' }, 'partners[0].outbound.url', 'must be https (http only for a loopback host: our tokens would travel in clear)'],
    ['another scheme', {}, { url: 'ftp://mail.contoso.com' }, 'partners[0].outbound.url', 'must be https'],
    ['credentials', {}, { url: 'https://u:p@mail.contoso.com' }, 'partners[0].outbound.url', 'must not contain credentials'],
    ['a query', {}, { url: 'https://mail.contoso.com/?a=1' }, 'partners[0].outbound.url', 'must not contain a query or fragment'],
    ['no URL at all', {}, { url: 'mail.contoso.com' }, 'partners[0].outbound.url', 'must be an absolute https URL'],
    ['an audience host with a path', {}, { url: 'https://a.example', audienceHost: 'a.example/x' }, 'partners[0].outbound.audienceHost', 'must be host[:port] only'],
    ['a wildcard issuer realm', {}, { url: 'https://a.example', issuerRealm: '*' }, 'partners[0].outbound.issuerRealm', 'must be a concrete realm, not "*"'],
    ['an issuer realm with @', {}, { url: 'https://a.example', issuerRealm: 'a@b' }, 'partners[0].outbound.issuerRealm', "a realm must not contain '@'"],
    ['a short token lifetime', {}, { url: 'https://a.example', tokenLifetimeSec: 60 }, 'partners[0].outbound.tokenLifetimeSec', 'must be between 600 and 43200'],
    ['a lifetime over 12 h', {}, { url: 'https://a.example', tokenLifetimeSec: 43_201 }, 'partners[0].outbound.tokenLifetimeSec', 'must be between 600 and 43200'],
    ['an unknown date format', {}, { url: 'https://a.example', dateFormat: 'iso' }, 'partners[0].outbound.dateFormat', 'must be one of number, string'],
    ['a CA file that is not PEM', {}, { url: 'https://a.example', caFile: 'not-a-ca.pem' }, 'partners[0].outbound.caFile', `${join(temp.dir, 'not-a-ca.pem')} is not a PEM certificate bundle`],
  ])('refuses %s', (_name, listen, outbound, path, message) => {
    const raw = rawWith(listen, outbound)
    raw.listen.inbound.port = 7000
    const problems = problemsOf(raw, temp.dir)
    const found = problems.find((p) => p.path === path)
    expect(found?.message, JSON.stringify(problems)).toContain(message)
  })

  it('allows http for a loopback partner', () => {
    expect(problemsOf(rawWith({}, { url: 'http://127.0.0.1:9000/base' }), temp.dir)).toEqual([])
  })
})
