import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { runCli } from '../../../src/cli/run.js'
import { HR_ADDIN_ID, SERVICE_ID, makeTempDir, validRaw, writeCertFiles } from '../config/fixtures.js'
import { captureIo } from './capture.js'

const temp = makeTempDir()
let file = ''
beforeAll(async () => {
  await writeCertFiles(temp.dir, 'gateway')
  await writeCertFiles(temp.dir, 'partner')
  const raw = validRaw()
  raw.partners[0].permissions = [
    { name: 'people', paths: ['/api/people/**'], right: 'read' },
    { name: 'writer', paths: ['/api/org'], right: 'write', calls: 'user', users: ['*@contoso.com'] },
  ]
  raw.access = { deny: [{ name: 'no-admin', paths: ['/api/admin/**'] }] }
  file = join(temp.dir, 'access.yaml')
  writeFileSync(file, stringify(raw))
})
afterAll(temp.remove)

async function explain(...args: string[]) {
  const io = captureIo()
  const code = await runCli(['access', 'explain', '--config', file, ...args], io)
  return { code, out: io.out(), err: io.err() }
}

describe('s2s-gateway access explain', () => {
  it('exits 0 and names the permission that allows the request', async () => {
    const { code, out } = await explain('--partner', 'exchange', '--method', 'GET', '--path', '/api/people/7?x=1', '--app')
    expect(code).toBe(0)
    expect(out).toBe([
      'Request: GET /api/people/7?x=1 by exchange, app call',
      '  trust level: full: app call, passes',
      '  access.deny no-admin: path: matches none of /api/admin/**',
      '  permission people: matched',
      '  permission writer: path: matches none of /api/org',
      'ALLOWED by permission people (sent to the backend as x-s2s-permission)',
      '',
    ].join('\n'))
  })

  it('exits 1 and says why each entry did not match', async () => {
    const { code, out } = await explain('--partner', 'exchange', '--method', 'POST', '--path', '/api/org', '--user-upn', 'mallory@fabrikam.com')
    expect(code).toBe(1)
    expect(out).toContain('  permission people: method: POST not granted (grants GET, HEAD, OPTIONS, PROPFIND, REPORT, SEARCH)\n')
    expect(out).toContain('  permission writer: users: not every user claim (upn, smtp, sip, nameid without nii) matches its users\n')
    expect(out.endsWith('DENIED: no permission matched (403, reason permission)\n')).toBe(true)
  })

  it('puts access.deny before the permissions', async () => {
    const { code, out } = await explain('--partner', 'exchange', '--method', 'GET', '--path', '/api/admin/x', '--app')
    expect(code).toBe(1)
    expect(out).toContain('  access.deny no-admin: matched: denied\n')
    expect(out.endsWith('DENIED by access.deny no-admin (403, reason denied_path)\n')).toBe(true)
  })

  it('denies a user call to an application-trust partner before any permission', async () => {
    const { code, out } = await explain('--partner', 'hr-addin', '--method', 'GET', '--path', '/api/people', '--user-upn', 'alice@contoso.com')
    expect(code).toBe(1)
    expect(out).toContain('trust level: application: user calls are refused before any permission (403, reason trust_level)')
    expect(out).not.toContain('access.deny')
  })

  it('says when a partner has no permissions', async () => {
    const { code, out } = await explain('--partner', 'hr-addin', '--method', 'DELETE', '--path', '/api/people', '--app')
    expect(code).toBe(0)
    expect(out).toContain('  permissions: not set for hr-addin: unrestricted except access.deny\n')
    expect(out).toContain('ALLOWED: no access.deny entry matched and the partner has no permissions')
  })

  it('counts override methods and refuses an ambiguous path', async () => {
    expect((await explain('--partner', 'exchange', '--method', 'GET', '--path', '/api/people/7', '--app', '--override', 'MERGE')).code).toBe(1)
    const ambiguous = await explain('--partner', 'exchange', '--method', 'GET', '--path', '/api/people/%2e%2e/admin', '--app')
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.out).toContain('path guard: refused before authentication (400, dot_segment)')
  })

  it.each([
    [['--partner', 'exchange', '--method', 'GET', '--path', '/x'], 'give --app for an add-in-only call, or --user-* flags for a user call'],
    [['--partner', 'exchange', '--method', 'get', '--path', '/x', '--app'], '--method get: write GET (methods are case-sensitive)'],
    [['--partner', 'nobody', '--method', 'GET', '--path', '/x', '--app'], 'no partner named "nobody" in the configuration (exchange, hr-addin)'],
    [['--partner', 'exchange', '--method', 'GET', '--path', 'x', '--app'], '--path must start with /'],
    [['--partner', 'exchange', '--method', 'GET', '--path', '/x', '--app', '--user-upn', 'a@b.c'], '--app is an add-in-only call: it takes no --user-* flag'],
    [['--method', 'GET', '--path', '/x', '--app'], '--partner is required'],
  ])('exits 2 for %j', async (args, message) => {
    const { code, err } = await explain(...args)
    expect(code).toBe(2)
    expect(err).toContain(message)
  })

  it('exits 78 on configuration errors', async () => {
    const bad = join(temp.dir, 'bad.yaml')
    const raw = validRaw()
    raw.partners[0].permissions = [{ paths: ['/api/%70'], right: 'read' }]
    writeFileSync(bad, stringify(raw))
    const io = captureIo()
    expect(await runCli(['access', 'explain', '--config', bad, '--partner', 'exchange', '--method', 'GET', '--path', '/x', '--app'], io)).toBe(78)
    expect(io.err()).toContain('partners[0].permissions[0].paths[0]: must not contain percent-encoding')
  })
})

describe('s2s-gateway token inspect --method --path', () => {
  async function appToken(): Promise<string> {
    const io = captureIo()
    const audience = `${SERVICE_ID}/gw.contoso.com@contoso.com`
    const code = await runCli(['token', 'mint', '--key', join(temp.dir, 'partner.key'), '--cert', join(temp.dir, 'partner.pem'), '--issuer', `${HR_ADDIN_ID}@contoso.com`, '--audience', audience], io)
    expect(code).toBe(0)
    return io.out().trim()
  }

  it('adds the access decision for the token\'s partner', async () => {
    const token = await appToken()
    const allowed = captureIo()
    expect(await runCli(['token', 'inspect', token, '--config', file, '--method', 'GET', '--path', '/api/x'], allowed)).toBe(0)
    expect(allowed.out()).toContain('Access decision:\nRequest: GET /api/x by hr-addin, app call\n')
    expect(allowed.out()).toContain('ALLOWED: no access.deny entry matched and the partner has no permissions')
    const denied = captureIo()
    expect(await runCli(['token', 'inspect', token, '--config', file, '--method', 'GET', '--path', '/api/admin/x'], denied)).toBe(1)
    expect(denied.out()).toContain('DENIED by access.deny no-admin (403, reason denied_path)')
  })

  it('wants --method and --path together, with --config', async () => {
    const token = await appToken()
    const io = captureIo()
    expect(await runCli(['token', 'inspect', token, '--config', file, '--method', 'GET'], io)).toBe(2)
    expect(io.err()).toContain('--method and --path go together')
  })
})
