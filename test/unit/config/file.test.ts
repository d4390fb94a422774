import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { ConfigError, loadConfigFile } from '../../../src/config/index.js'
import { makeTempDir, validRaw, writeCertFiles } from './fixtures.js'

/** Every fixture partner lacks `permissions` (issue 10): that warning is tested in access-config.test.ts. */
const isNotPermissionsWarning = (w: string): boolean => !/^partners\[\d+\]: no permissions: /.test(w)

const temp = makeTempDir()
const DAY_MS = 86_400_000

function problemsOfFile(file: string): ConfigError['problems'] {
  try {
    loadConfigFile(file)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

beforeAll(async () => {
  mkdirSync(join(temp.dir, 'conf', 'certs'), { recursive: true })
  await writeCertFiles(join(temp.dir, 'conf', 'certs'), 'gateway')
  await writeCertFiles(join(temp.dir, 'conf', 'certs'), 'partner')
  const now = Date.now()
  await writeCertFiles(join(temp.dir, 'conf', 'certs'), 'expired', { notBefore: new Date(now - 10 * DAY_MS), days: 2 })
  await writeCertFiles(join(temp.dir, 'conf', 'certs'), 'expiring', { notBefore: new Date(now - DAY_MS), days: 11 })
  await writeCertFiles(join(temp.dir, 'conf', 'certs'), 'expired-partner', { notBefore: new Date(now - 10 * DAY_MS), days: 2 })
})
afterAll(temp.remove)

function writeConfig(name: string, text: string): string {
  const file = join(temp.dir, 'conf', name)
  writeFileSync(file, text)
  return file
}

function rawWithCertsDir(): Record<string, any> {
  const raw = validRaw()
  raw.issuer.certificates = [{ cert: 'certs/gateway.pem', key: 'certs/gateway.key' }]
  raw.partners[1].certificates = ['certs/partner.pem']
  return raw
}

describe('loadConfigFile', () => {
  it('resolves relative paths against the directory of the file, not the working directory', () => {
    const file = writeConfig('ok.yaml', stringify(rawWithCertsDir()))
    const { config } = loadConfigFile(file)
    expect(config.issuer.certificates[0]).toEqual({
      cert: join(temp.dir, 'conf', 'certs', 'gateway.pem'),
      key: join(temp.dir, 'conf', 'certs', 'gateway.key'),
    })
    expect(config.partners[1]?.certificates).toEqual([join(temp.dir, 'conf', 'certs', 'partner.pem')])
  })

  it('reports a YAML syntax error with its line and column', () => {
    const file = writeConfig('broken.yaml', 'service:\n  id: x\n  publicHosts: [a, b\nupstream: {}\n')
    const problems = problemsOfFile(file)
    expect(problems.length).toBeGreaterThan(0)
    expect(problems[0]?.path).toBe('')
    expect(problems[0]?.message).toMatch(/^YAML error at line \d+, column \d+: /)
  })

  it('reports a repeated key as an error, not last-one-wins', () => {
    const file = writeConfig('dup.yaml', 'upstream:\n  url: http://a\n  url: http://b\n')
    expect(problemsOfFile(file)).toEqual([{ path: '', message: 'YAML error at line 3, column 3: Map keys must be unique' }])
  })

  it('reports a missing file as a configuration problem', () => {
    const file = join(temp.dir, 'conf', 'absent.yaml')
    expect(problemsOfFile(file)).toEqual([{ path: '', message: `cannot read ${file}: no such file` }])
  })

  it('reports the required keys of an empty file', () => {
    expect(problemsOfFile(writeConfig('empty.yaml', '')).map((p) => p.message).sort()).toEqual([...Array(4).fill('is required'), 'is required (unless listen.forwardAuth is set)'])
  })

  it('warns, without failing, about expired and soon-expiring certificates', () => {
    const raw = rawWithCertsDir()
    raw.issuer.certificates.push({ cert: 'certs/expiring.pem' }, { cert: 'certs/expired.pem' })
    raw.partners[1].certificates.push('certs/expired-partner.pem')
    const { warnings } = loadConfigFile(writeConfig('expiry.yaml', stringify(raw)))
    expect(warnings.filter(isNotPermissionsWarning)).toEqual([
      expect.stringMatching(/^issuer\.certificates\[1\]\.cert: certificate \S+ expires on \d{4}-\d\d-\d\d \(in (9|10) days\)$/),
      expect.stringMatching(/^issuer\.certificates\[2\]\.cert: certificate \S+ expired on \d{4}-\d\d-\d\d; not published$/),
      expect.stringMatching(/^partners\[1\]\.certificates\[1\]: certificate \S+ expired on .*; ask the partner for its current certificate$/),
    ])
  })

  it('warns about skipped TLS verification and an admin listener off loopback', () => {
    const raw = rawWithCertsDir()
    raw.partners[0].tls = { insecureSkipVerify: true }
    raw.listen.admin.host = '0.0.0.0'
    const { warnings } = loadConfigFile(writeConfig('insecure.yaml', stringify(raw)))
    expect(warnings.filter(isNotPermissionsWarning)).toEqual([
      'listen.admin.host: 0.0.0.0 is not loopback: health and metrics are reachable from the network',
      'partners[0].tls.insecureSkipVerify: the TLS certificate of autodiscover.contoso.com is not verified',
    ])
  })
})
