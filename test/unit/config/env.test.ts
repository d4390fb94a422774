import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { substituteEnv } from '../../../src/config/env.js'
import { loadConfigObject } from '../../../src/config/index.js'
import { makeTempDir, problemsOf, validRaw, writeCertFiles } from './fixtures.js'

describe('substituteEnv', () => {
  it.each([
    ['no reference', 'plain', {}, 'plain'],
    ['one reference', '${HOST}', { HOST: 'gw' }, 'gw'],
    ['references inside text', 'https://${HOST}:${PORT}/x', { HOST: 'gw', PORT: '8443' }, 'https://gw:8443/x'],
    ['an escaped reference', '$${HOST}', { HOST: 'gw' }, '${HOST}'],
    ['an escape next to a reference', '$${A}${A}', { A: 'x' }, '${A}x'],
    ['a lone dollar', 'pa$$word$', {}, 'pa$$word$'],
    ['a variable set to empty', 'a${E}b', { E: '' }, 'ab'],
  ])('resolves %s', (_label, text, env, expected) => {
    expect(substituteEnv(text, env)).toMatchObject({ ok: true, value: expected })
  })

  it.each([
    ['an unset variable', '${MISSING}', 'environment variable MISSING not set'],
    ['two unset variables', '${A}/${B}/${A}', 'environment variables A, B not set'],
    ['an empty name', 'x${}', 'malformed environment reference "${}" (expected ${NAME})'],
    ['a name with a dash', '${A-B}', 'malformed environment reference "${A-B}" (expected ${NAME})'],
    ['an unclosed reference', 'x${A', 'unclosed environment reference "${A"'],
  ])('refuses %s', (_label, text, message) => {
    expect(substituteEnv(text, {})).toEqual({ ok: false, message })
  })
})

describe('${NAME} in a configuration', () => {
  const temp = makeTempDir()
  beforeAll(() => writeCertFiles(temp.dir, 'gateway').then(() => writeCertFiles(temp.dir, 'partner')))
  afterAll(temp.remove)

  it('resolves strings, paths, numbers and booleans from the env passed in', () => {
    const raw = validRaw()
    raw.service.realm = '${REALM}'
    raw.upstream.url = 'http://${BACKEND}'
    raw.listen.inbound.port = '${PORT}'
    raw.upstream.forwardAuthorization = '${FORWARD}'
    raw.issuer.certificates[0].key = '${KEY_DIR}/gateway.key'
    const env = { REALM: 'Fabrikam.com', BACKEND: '10.0.0.5:8080', PORT: '9443', FORWARD: 'true', KEY_DIR: temp.dir }
    const { config } = loadConfigObject(raw, { baseDir: temp.dir, env })
    expect(config.service.realm).toBe('fabrikam.com')
    expect(config.upstream.url).toBe('http://10.0.0.5:8080')
    expect(config.listen.inbound.port).toBe(9443)
    expect(config.upstream.forwardAuthorization).toBe(true)
    expect(config.issuer.certificates[0]?.key).toBe(`${temp.dir}/gateway.key`)
  })

  it('reports each unset variable at its path, and reads nothing from process.env by default', () => {
    process.env['S2S_TEST_REALM'] = 'contoso.com'
    const raw = validRaw()
    raw.service.realm = '${S2S_TEST_REALM}'
    raw.partners[0].metadataUrl = 'https://${PARTNER_HOST}/metadata/json/1'
    expect(problemsOf(raw, temp.dir)).toEqual([
      { path: 'service.realm', message: 'environment variable S2S_TEST_REALM not set' },
      { path: 'partners[0].metadataUrl', message: 'environment variable PARTNER_HOST not set' },
    ])
    delete process.env['S2S_TEST_REALM']
  })

  it('checks a number from the environment like any number', () => {
    const raw = validRaw()
    raw.listen.inbound.port = '${PORT}'
    expect(problemsOf(raw, temp.dir, { PORT: 'http' })).toEqual([{ path: 'listen.inbound.port', message: 'must be an integer' }])
    expect(problemsOf(raw, temp.dir, { PORT: '99999' })).toEqual([{ path: 'listen.inbound.port', message: 'must be between 0 and 65535' }])
  })

  it('keeps an escaped $${ literally', () => {
    const raw = validRaw()
    raw.service.name = 'Costs $${5}'
    expect(loadConfigObject(raw, { baseDir: temp.dir }).config.service.name).toBe('Costs ${5}')
  })
})
