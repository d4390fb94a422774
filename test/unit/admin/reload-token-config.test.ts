// Unit: admin.reloadToken and the logging keys in the one schema: defaults, the token's length rule (its value
// never in a problem message), and print-defaults showing the secret empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfigObject } from '../../../src/config/index.js'
import { renderExampleYaml } from '../../../src/schema/index.js'
import { renderDefaultsYaml } from '../../../src/schema/index.js'
import { DEFAULTS } from '../../../src/schema/index.js'
import { makeTempDir, writeCertFiles } from '../config/fixtures.js'

let temp: ReturnType<typeof makeTempDir>
let files: Awaited<ReturnType<typeof writeCertFiles>>
beforeAll(async () => {
  temp = makeTempDir()
  files = await writeCertFiles(temp.dir, 'gateway')
})
afterAll(() => temp?.remove())

async function load(extra: Record<string, unknown>) {
  const dir = temp.dir
  const raw = {
    service: { id: '5f1c9a3e-7b2d-4c8e-9f10-112233445566', realm: 'contoso.com', publicHosts: ['gw.contoso.com'] },
    upstream: { url: 'http://127.0.0.1:8080' },
    issuer: { certificates: [{ cert: files.cert, key: files.key }] },
    ...extra,
  }
  return loadConfigObject(raw, { baseDir: dir, env: { RELOAD_TOKEN: 'from-the-environment-0123456789' } })
}

describe('admin and logging options', () => {
  it('default to no reload token, upn users, no redaction', () => {
    expect(DEFAULTS.admin).toEqual({ allowedHosts: [] })
    expect(DEFAULTS.logging).toEqual({ level: 'info', userClaim: 'upn', redactUsers: false, bufferBytes: 65536, maxPendingBytes: 16777216 })
  })

  it('take a reload token from the environment', async () => {
    const { config } = await load({ admin: { reloadToken: '${RELOAD_TOKEN}' }, logging: { redactUsers: true, userClaim: 'sip' } })
    expect(config.admin.reloadToken).toBe('from-the-environment-0123456789')
    expect(config.logging).toMatchObject({ redactUsers: true, userClaim: 'sip' })
  })

  it.each([
    ['short-secret', 'admin.reloadToken: must be at least 16 characters (the value is not shown)'],
    ['has a space inside it', 'admin.reloadToken: must not contain whitespace (the value is not shown)'],
  ])('refuses the token %j without printing it', async (token, message) => {
    const err = await load({ admin: { reloadToken: token } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).message).toBe(message)
    expect((err as ConfigError).message).not.toContain(token)
  })

  it('refuses an unknown user claim', async () => {
    const err = (await load({ logging: { userClaim: 'email' } }).catch((e: unknown) => e)) as ConfigError
    expect(err.problems.map((p) => p.path)).toEqual(['logging.userClaim'])
  })

  it('print-defaults and the example show the secret empty', () => {
    for (const text of [renderDefaultsYaml(), renderExampleYaml()]) {
      expect(text).toMatch(/^admin:\n {2}# .*\n {2}reloadToken:\n/m)
      expect(text).toContain('  redactUsers: false\n')
    }
  })
})
