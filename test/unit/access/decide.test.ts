import { describe, expect, it } from 'vitest'
import { compilePolicy, decideAccess, explainAccess, parseMethodOverrides, READ_METHODS, WRITE_METHODS, type AccessRequest } from '../../../src/access/index.js'
import type { AccessConfig, PermissionConfig } from '../../../src/schema/types.js'

const access = (over: Partial<AccessConfig> = {}): AccessConfig => ({ mode: 'enforce', caseInsensitivePaths: false, deny: [], ...over })
const perm = (over: Partial<PermissionConfig>): PermissionConfig => ({ name: 'p', paths: ['/**'], calls: 'any', ...over })
const policyOf = (permissions: PermissionConfig[] | undefined, over: Partial<AccessConfig> = {}) =>
  compilePolicy(access(over), [permissions === undefined ? { name: 'hr' } : { name: 'hr', permissions }])
const request = (over: Partial<AccessRequest> = {}): AccessRequest =>
  ({ partner: 'hr', callType: 'app', method: 'GET', overrides: [], upgrade: false, path: '/api/x', ...over })

const OTHER_METHODS = ['ACL', 'BIND', 'CHECKOUT', 'LINK', 'M-SEARCH', 'MKACTIVITY', 'MKCALENDAR', 'NOTIFY', 'PURGE', 'QUERY', 'REBIND', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNSUBSCRIBE']

describe('the rights table', () => {
  const rows = [...WRITE_METHODS, ...OTHER_METHODS].flatMap((method) => (['read', 'write', 'full'] as const).map((right) => {
    const expected = right === 'full' || (right === 'write' ? WRITE_METHODS.includes(method) : READ_METHODS.includes(method))
    return [right, method, expected] as const
  }))
  it.each(rows)('right %s, method %s: allowed %s', (right, method, expected) => {
    expect(decideAccess(policyOf([perm({ right })]), request({ method })).allowed).toBe(expected)
  })

  it('treats a WebSocket upgrade as a write: write, full or UPGRADE in methods', () => {
    const upgrade = request({ upgrade: true })
    expect(decideAccess(policyOf([perm({ right: 'read' })]), upgrade).allowed).toBe(false)
    expect(decideAccess(policyOf([perm({ right: 'write' })]), upgrade).allowed).toBe(true)
    expect(decideAccess(policyOf([perm({ right: 'full' })]), upgrade).allowed).toBe(true)
    expect(decideAccess(policyOf([perm({ methods: ['GET'] })]), upgrade).allowed).toBe(false)
    expect(decideAccess(policyOf([perm({ methods: ['GET', 'UPGRADE'] })]), upgrade).allowed).toBe(true)
  })
})

describe('method overrides', () => {
  it('needs every overriding method granted by the same entry as the request method', () => {
    const policy = policyOf([perm({ name: 'post', methods: ['POST'] }), perm({ name: 'merge', methods: ['MERGE'] })])
    expect(decideAccess(policy, request({ method: 'POST', overrides: ['MERGE'] })).allowed).toBe(false)
    const both = policyOf([perm({ name: 'both', methods: ['POST', 'MERGE'] })])
    expect(decideAccess(both, request({ method: 'POST', overrides: ['MERGE'] }))).toMatchObject({ allowed: true, permission: 'both' })
    expect(decideAccess(policyOf([perm({ right: 'read' })]), request({ method: 'GET', overrides: ['DELETE'] })).allowed).toBe(false)
  })

  it('lets no overriding method past access.deny', () => {
    const policy = policyOf(undefined, { deny: [{ name: 'no-delete', paths: ['/**'], methods: ['DELETE'] }] })
    expect(decideAccess(policy, request({ method: 'POST', overrides: ['DELETE'] }))).toMatchObject({ allowed: false, reason: 'denied_path', deny: 'no-delete' })
    expect(decideAccess(policy, request({ method: 'POST' })).allowed).toBe(true)
  })

  it.each([
    [['X-HTTP-Method', 'MERGE'], { methods: ['MERGE'] }],
    [['x-http-method-override', 'delete'], { methods: ['DELETE'] }],
    [['X-Method-Override', ' PUT '], { methods: ['PUT'] }],
    [['X_HTTP_Method', 'PATCH'], { methods: ['PATCH'] }],
    [['X-HTTP-Method', 'MERGE', 'X-HTTP-Method-Override', 'PUT'], { methods: ['MERGE', 'PUT'] }],
    [['X-HTTP-Method', 'MERGE', 'x-http-method', 'MERGE'], { problem: 'override_repeated' }],
    [['X-HTTP-Method', 'MERGE', 'X_HTTP_METHOD', 'PUT'], { problem: 'override_repeated' }],
    [['X-HTTP-Method', 'MERGE, PUT'], { problem: 'override_invalid' }],
    [['X-HTTP-Method', ''], { problem: 'override_invalid' }],
    [['X-HTTP-Method', 'GE T'], { problem: 'override_invalid' }],
    // RFC 9110 tokens, but no method: '|' would let two requests share one nginx decision-cache key.
    [['X-HTTP-Method', 'GET|DELETE'], { problem: 'override_invalid' }],
    [['X-Method-Override', 'X'], { methods: ['X'] }],
    [['X-Method-Override', '|X'], { problem: 'override_invalid' }],
    [['X-HTTP-Method', 'M.1'], { problem: 'override_invalid' }],
    [['Content-Type', 'text/plain', 'X-HTTP-Methods', 'PUT'], { methods: [] }],
  ])('parses %j as %j', (raw, expected) => {
    expect(parseMethodOverrides(raw)).toEqual(expected)
  })
})

describe('call types and users', () => {
  const users = (list: string[], calls: PermissionConfig['calls'] = 'any') => policyOf([perm({ users: list, calls, right: 'read' })])
  const userCall = (user: AccessRequest['user']) => request({ callType: 'user', user })

  it('separates add-in-only from user+add-in calls', () => {
    expect(decideAccess(policyOf([perm({ right: 'read', calls: 'app' })]), request()).allowed).toBe(true)
    expect(decideAccess(policyOf([perm({ right: 'read', calls: 'app' })]), userCall({ upn: 'a@contoso.com' })).allowed).toBe(false)
    expect(decideAccess(policyOf([perm({ right: 'read', calls: 'user' })]), request()).allowed).toBe(false)
    expect(decideAccess(policyOf([perm({ right: 'read', calls: 'user' })]), userCall({ upn: 'a@contoso.com' })).allowed).toBe(true)
  })

  it('covers user calls only when users is set', () => {
    expect(decideAccess(users(['*@contoso.com']), request()).allowed).toBe(false)
  })

  it.each([
    [['*@contoso.com'], { upn: 'alice@contoso.com' }, true],
    [['*@contoso.com'], { upn: 'ALICE@Contoso.COM' }, true],
    [['*@contoso.com'], { smtp: 'alice@contoso.com' }, true],
    [['*@contoso.com'], { sip: 'alice@contoso.com' }, true],
    [['*@contoso.com'], { sip: 'sip:alice@contoso.com' }, true],
    [['*@contoso.com'], { upn: 'alice@contoso.com', smtp: 'alice@fabrikam.com' }, false],
    [['*@contoso.com', '*@fabrikam.com'], { upn: 'alice@contoso.com', smtp: 'alice@fabrikam.com' }, true],
    [['*@contoso.com'], { upn: 'alice@evil-contoso.com' }, false],
    [['*@contoso.com'], { upn: 'alice@eu.contoso.com' }, false],
    [['*@*.contoso.com'], { upn: 'alice@eu.contoso.com' }, true],
    [['*@*.contoso.com'], { upn: 'alice@contoso.com' }, false],
    [['*@*.contoso.com'], { upn: 'alice@evilcontoso.com' }, false],
    [['alice@contoso.com'], { upn: 'alice@contoso.com' }, true],
    [['alice@contoso.com'], { upn: 'bob@contoso.com' }, false],
    [['*@contoso.com'], { nameid: 'alice@contoso.com' }, true],
    [['*@contoso.com'], { nameid: 'alice@fabrikam.com', upn: 'alice@contoso.com' }, false],
    [['*@contoso.com'], { nameid: 's-1-5-21-1-2-3-1000', nii: 'urn:office:idp:activedirectory' }, false],
    [['*@contoso.com'], { nameid: 's-1-5-21-1-2-3-1000', nii: 'urn:office:idp:activedirectory', upn: 'alice@contoso.com' }, true],
  ])('users %j, claims %j: %s', (list, user, expected) => {
    expect(decideAccess(users(list), userCall(user)).allowed).toBe(expected)
  })
})

describe('the order of rules', () => {
  it('checks access.deny first, for partners with and without permissions', () => {
    const deny = [{ name: 'no-admin', paths: ['/api/admin/**'] }]
    for (const permissions of [undefined, [perm({ name: 'all', right: 'full' })]]) {
      expect(decideAccess(policyOf(permissions, { deny }), request({ path: '/api/admin/x' }))).toEqual({ allowed: false, reason: 'denied_path', permission: undefined, deny: 'no-admin' })
    }
  })

  it('tells absent permissions (unrestricted) from [] (nothing)', () => {
    expect(decideAccess(policyOf(undefined), request())).toEqual({ allowed: true, reason: undefined, permission: undefined, deny: undefined })
    expect(decideAccess(policyOf([]), request())).toEqual({ allowed: false, reason: 'permission', permission: undefined, deny: undefined })
  })

  it('names the first entry that grants the request', () => {
    const policy = policyOf([perm({ name: 'people', paths: ['/api/people/**'], right: 'read' }), perm({ name: 'all-read', right: 'read' })])
    expect(decideAccess(policy, request({ path: '/api/people/7' })).permission).toBe('people')
    expect(decideAccess(policy, request({ path: '/api/org' })).permission).toBe('all-read')
    expect(decideAccess(policy, request({ path: '/api/org', method: 'POST' })).allowed).toBe(false)
  })

  it('lets a dot segment (after ; parameters) match no permission and every deny entry', () => {
    const policy = policyOf([perm({ right: 'full' })], { deny: [{ name: 'd', paths: ['/nothing'] }] })
    expect(decideAccess(policy, request({ path: '/api/people/..;/admin' }))).toMatchObject({ allowed: false, deny: 'd' })
    expect(decideAccess(policyOf([perm({ right: 'full' })]), request({ path: '/api/..;/admin' })).allowed).toBe(false)
  })
})

describe('explainAccess', () => {
  it('says for every entry why it did not match', () => {
    const policy = policyOf([
      perm({ name: 'people', paths: ['/api/people/**'], right: 'read' }),
      perm({ name: 'writer', paths: ['/api/org'], right: 'write', calls: 'user' }),
      perm({ name: 'alice', paths: ['/api/org'], methods: ['GET', 'POST'], users: ['alice@contoso.com'] }),
    ], { deny: [{ name: 'no-admin', paths: ['/api/admin/**'] }] })
    const e = explainAccess(policy, request({ method: 'POST', path: '/api/org' }))
    expect(e.decision).toMatchObject({ allowed: false, reason: 'permission' })
    expect(e.entries.map((v) => [v.kind, v.name, v.mismatch])).toEqual([
      ['deny', 'no-admin', 'path'], ['permission', 'people', 'method'], ['permission', 'writer', 'calls'], ['permission', 'alice', 'calls'],
    ])
    expect(e.entries[1]?.text).toBe('method: POST not granted (grants GET, HEAD, OPTIONS, PROPFIND, REPORT, SEARCH)')
    expect(e.entries[0]?.text).toBe('path: matches none of /api/admin/**')
  })
})

describe('explainAccess for user calls', () => {
  it('names the users mismatch of a user call', () => {
    const policy = policyOf([perm({ name: 'alice', paths: ['/api/org'], methods: ['GET'], users: ['alice@contoso.com'] })])
    const e = explainAccess(policy, request({ callType: 'user', user: { upn: 'bob@contoso.com' }, path: '/api/org' }))
    expect(e.entries.map((v) => v.mismatch)).toEqual(['users'])
    expect(e.unrestricted).toBe(false)
  })
})
