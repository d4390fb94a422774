import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfigObject } from '../../../src/config/index.js'
import { makeTempDir, problemsOf, validRaw, writeCertFiles } from './fixtures.js'

const temp = makeTempDir()
beforeAll(() => writeCertFiles(temp.dir, 'gateway').then(() => writeCertFiles(temp.dir, 'partner')))
afterAll(temp.remove)

function withPermissions(permissions: unknown, access?: unknown): Record<string, any> {
  const raw = validRaw()
  raw.partners[0].permissions = [{ name: 'exchange-all', paths: ['/**'], right: 'full' }]
  raw.partners[1].permissions = permissions
  if (access !== undefined) raw.access = access
  return raw
}

const messages = (raw: unknown) => problemsOf(raw, temp.dir).map((p) => `${p.path}: ${p.message}`)

describe('partners[].permissions and access', () => {
  it('loads permissions with default names and calls, and the access defaults', () => {
    const { config, warnings } = loadConfigObject(withPermissions([{ paths: ['/api/people/**'], right: 'read' }, { paths: ['/api/org'], methods: ['POST'] }]), { baseDir: temp.dir, env: {} })
    expect(config.partners[1]?.permissions).toEqual([
      { name: 'hr-addin#0', paths: ['/api/people/**'], right: 'read', calls: 'any' },
      { name: 'hr-addin#1', paths: ['/api/org'], methods: ['POST'], calls: 'any' },
    ])
    expect(config.access).toEqual({ mode: 'enforce', caseInsensitivePaths: false, deny: [] })
    expect(warnings).toEqual([])
  })

  it('keeps absent and [] apart, and warns about a partner without permissions', () => {
    const raw = withPermissions([])
    delete raw.partners[0].permissions
    const { config, warnings } = loadConfigObject(raw, { baseDir: temp.dir, env: {} })
    expect(config.partners[0]?.permissions).toBeUndefined()
    expect(config.partners[1]?.permissions).toEqual([])
    expect(warnings).toEqual(['partners[0]: no permissions: exchange may call every path with any method (list permissions, or [] for none)'])
  })

  it('reports every bad pattern, right, method, user pattern and duplicate name', () => {
    expect(messages(withPermissions([
      { name: 'a', paths: ['/api/%70eople', 'api', '/a/**b'], right: 'read' },
      { name: 'a', paths: ['/x'], right: 'admin' },
      { name: 'b', paths: ['/x'], right: 'read', methods: ['GET'] },
      { name: 'c', paths: ['/x'] },
      { name: 'd', paths: ['/x'], methods: ['get', 'FETCH'] },
      { name: 'e', paths: ['/x'], right: 'read', calls: 'app', users: ['*@contoso.com'] },
      { name: 'f', paths: ['/x'], right: 'read', users: ['contoso.com', '*@*', 'a*@contoso.com'] },
      { name: 'bad name!', paths: ['/x'], right: 'read' },
    ], { deny: [{ name: 'd1', paths: ['/a/../b'], methods: ['DELET'] }, { name: 'd1', paths: ['/x'] }] }))).toEqual([
      'access.deny[0].paths[0]: must not contain . or .. segments',
      'access.deny[0].methods[0]: unknown method "DELET"',
      'access.deny[1].name: repeats the name of access.deny[0]',
      'partners[1].permissions[1].right: must be one of read, write, full',
      'partners[1].permissions[0].paths[0]: must not contain percent-encoding (write the decoded path)',
      'partners[1].permissions[0].paths[1]: must be an absolute path (start with /)',
      'partners[1].permissions[0].paths[2]: ** must be a whole segment (/a/**/b), not part of one',
      'partners[1].permissions[1].name: repeats the name of partners[1].permissions[0]',
      'partners[1].permissions[2]: give exactly one of right and methods',
      'partners[1].permissions[3]: give exactly one of right and methods',
      'partners[1].permissions[4].methods[0]: unknown method "get" (write GET: method names are case-sensitive)',
      'partners[1].permissions[4].methods[1]: unknown method "FETCH"',
      'partners[1].permissions[5].users: applies to user calls only: it cannot go with calls: app',
      'partners[1].permissions[6].users[0]: must be *@domain, *@*.domain or an exact address (user@domain)',
      'partners[1].permissions[6].users[1]: must be *@domain, *@*.domain or an exact address (user@domain)',
      'partners[1].permissions[6].users[2]: must be *@domain, *@*.domain or an exact address (user@domain)',
      'partners[1].permissions[7].name: must be 1-64 characters of A-Z a-z 0-9 . _ # : - (starting with a letter or digit)',
    ])
  })

  it('warns about a permission an earlier one of the same partner makes unreachable', () => {
    const { warnings } = loadConfigObject(withPermissions([
      { name: 'people', paths: ['/api/people/**'], right: 'write' },
      { name: 'photo', paths: ['/api/people/*/photo'], methods: ['PUT'] },
      { name: 'alice', paths: ['/api/people/7'], right: 'read', users: ['alice@contoso.com'] },
      { name: 'org', paths: ['/api/org/**'], right: 'read' },
      { name: 'org-write', paths: ['/api/org/x'], right: 'write' },
      { name: 'app-only', paths: ['/api/app'], right: 'read', calls: 'app' },
      { name: 'app-any', paths: ['/api/app'], right: 'read' },
    ]), { baseDir: temp.dir, env: {} })
    expect(warnings).toEqual([
      'partners[1].permissions[1]: "photo" is unreachable: "people" before it grants everything it grants',
      'partners[1].permissions[2]: "alice" is unreachable: "people" before it grants everything it grants',
    ])
  })

  it('refuses an unknown access key or mode', () => {
    const found = messages(withPermissions([], { mode: 'audit', strict: true }))
    expect(found).toContain('access.mode: must be one of enforce, shadow')
    expect(found.some((m) => m.startsWith('access.strict: '))).toBe(true)
  })

  it('warns when access.deny names a public path, which skips every access rule', () => {
    const raw = withPermissions([], { deny: [{ name: 'no-admin', paths: ['/api/admin/**'] }] })
    raw.publicPaths = ['/api/admin/ping', '/api/health']
    const { warnings } = loadConfigObject(raw, { baseDir: temp.dir, env: {} })
    expect(warnings).toEqual(['publicPaths[0]: /api/admin/ping is public: access.deny "no-admin" does not apply to it (public paths skip authentication and the access rules)'])
  })
})
