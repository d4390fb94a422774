// Integration (issue 10): per-partner permissions and access.deny through the real gateway, a real echo backend
// and a real partner metadata server on 127.0.0.1. Each test reloads the rules it needs.
import { METHODS } from 'node:http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { READ_METHODS, WRITE_METHODS } from '../../src/access/index.js'
import { metadataPartner, type RawConfig } from '../helpers/gateway.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { send } from './access-helpers.js'

let stack: Stack
let metaUrl = ''
beforeAll(async () => {
  stack = await startStack(({ metadataUrl }) => {
    metaUrl = metadataUrl
    return {}
  })
})
afterAll(() => stack?.close())
beforeEach(() => {
  stack.upstream.seen.length = 0
})

/** Reload with these permissions for the exchange partner (undefined: none given) and this access section. */
function rules(permissions: unknown[] | undefined, access: RawConfig = {}, partner: RawConfig = {}): void {
  const extra = permissions === undefined ? partner : { ...partner, permissions }
  stack.gw.reload({ partners: [metadataPartner('exchange', metaUrl, extra)], access })
}

const app = (): Array<[string, string]> => [['authorization', `Bearer ${stack.exchange.actorToken()}`]]
const user = (claims: Record<string, unknown>): Array<[string, string]> => [['authorization', `Bearer ${stack.exchange.userToken(claims)}`]]
const status = async (method: string, path: string, headers = app()): Promise<number> => (await send(stack.gw.url, method, path, headers)).status

describe('the rights table, every method Node parses', () => {
  const methods = METHODS.filter((m) => m !== 'CONNECT')
  it.each(['read', 'write', 'full'] as const)('right %s', async (right) => {
    rules([{ name: right, paths: ['/api/**'], right }])
    for (const method of methods) {
      const granted = right === 'full' || (right === 'read' ? READ_METHODS : WRITE_METHODS).includes(method)
      // fastify answers a QUERY without Content-Type 400 itself (after the decision): give it one.
      const headers: Array<[string, string]> = method === 'QUERY' ? [...app(), ['content-type', 'text/plain']] : app()
      expect([method, (await send(stack.gw.url, method, '/api/x', headers, method === 'QUERY' ? 'q' : undefined)).status]).toEqual([method, granted ? 200 : 403])
    }
    // Every allowed method reached the backend, none of the others did.
    expect(stack.upstream.seen.map((r) => r.method).sort()).toEqual(methods.filter((m) => right === 'full' || (right === 'read' ? READ_METHODS : WRITE_METHODS).includes(m)).sort())
  })
})

describe('paths', () => {
  it.each([
    ['/api/people/**', '/api/people', 200],
    ['/api/people/**', '/api/people/', 200],
    ['/api/people/**', '/api/people/7/photo', 200],
    ['/api/people/**', '/api/peoplex', 403],
    ['/api/**/photo', '/api/people/7/photo', 200],
    ['/api/**/photo', '/api/people/7/photos', 403],
    ['/**', '/anything/at/all', 200],
    ['/api/org', '/api/org/', 200],
    ['/api/org', '/api/org/x', 403],
    ['/api/org', '/api/organisation', 403],
    ['/api/people/**', '/api/%70eople/7', 200],
    ['/api/people/**', '/api/%70eople%2F7', 400],
    ['/api/org', '/api/org?/api/people', 200],
    ['/api/people/**', '/api/org?x=/api/people/7', 403],
    ['/api/admin/users', '/api/admin;jsessionid=1/users', 200],
  ])('pattern %s, request %s: %i', async (pattern, path, expected) => {
    rules([{ paths: [pattern], right: 'read' }])
    expect(await status('GET', path)).toBe(expected)
    if (expected === 200) expect(stack.upstream.seen[0]?.url).toBe(path) // forwarded exactly as it arrived
  })

  it('compares case exactly unless caseInsensitivePaths', async () => {
    rules([{ paths: ['/api/People/**'], right: 'read' }])
    expect(await status('GET', '/API/people/7')).toBe(403)
    expect(await status('GET', '/api/People/7')).toBe(200)
    rules([{ paths: ['/api/People/**'], right: 'read' }], { caseInsensitivePaths: true })
    expect(await status('GET', '/API/people/7')).toBe(200)
    expect(await status('GET', '/API/%50eople/7')).toBe(200)
  })

  it('refuses a `..;` segment a servlet container would resolve', async () => {
    rules([{ paths: ['/api/people/**'], right: 'read' }])
    expect(await status('GET', '/api/people/..;/admin')).toBe(400) // the path guard, before authentication
    expect(stack.upstream.seen).toEqual([])
  })
})

describe('method overrides', () => {
  it.each(['X-HTTP-Method', 'X-HTTP-Method-Override', 'X-Method-Override'])('%s must be granted by the same entry', async (header) => {
    rules([{ name: 'post', paths: ['/api/**'], methods: ['POST'] }, { name: 'merge', paths: ['/api/**'], methods: ['MERGE'] }])
    expect(await status('POST', '/api/items', [...app(), [header, 'MERGE']])).toBe(403)
    rules([{ name: 'both', paths: ['/api/**'], methods: ['POST', 'MERGE'] }])
    expect(await status('POST', '/api/items', [...app(), [header, 'MERGE']])).toBe(200)
    expect(stack.upstream.seen[0]?.headers['x-s2s-permission']).toBe('both')
  })

  it('answers 400 to a repeated header, a list or an unparseable value', async () => {
    rules([{ paths: ['/api/**'], right: 'full' }])
    expect(await status('POST', '/api/items', [...app(), ['X-HTTP-Method', 'MERGE'], ['X-HTTP-Method', 'MERGE']])).toBe(400)
    expect(await status('POST', '/api/items', [...app(), ['X-HTTP-Method', 'MERGE, DELETE']])).toBe(400)
    expect(await status('POST', '/api/items', [...app(), ['X-HTTP-Method', 'MER GE']])).toBe(400)
    expect(stack.upstream.seen).toEqual([])
  })

  it('lets no overriding method past access.deny', async () => {
    rules(undefined, { deny: [{ name: 'no-delete', paths: ['/**'], methods: ['DELETE'] }] })
    expect(await status('POST', '/api/items', [...app(), ['X-HTTP-Method', 'DELETE']])).toBe(403)
    expect(await status('POST', '/api/items')).toBe(200)
  })
})

describe('call types and users', () => {
  it('separates app from user calls', async () => {
    rules([{ name: 'apps', paths: ['/app/**'], right: 'read', calls: 'app' }, { name: 'users', paths: ['/user/**'], right: 'read', calls: 'user' }])
    expect(await status('GET', '/app/x')).toBe(200)
    expect(await status('GET', '/app/x', user({ upn: 'alice@contoso.com' }))).toBe(403)
    expect(await status('GET', '/user/x')).toBe(403)
    expect(await status('GET', '/user/x', user({ upn: 'alice@contoso.com' }))).toBe(200)
  })

  it.each([
    [{ upn: 'alice@contoso.com' }, 200],
    [{ smtp: 'alice@contoso.com' }, 200],
    [{ sip: 'alice@contoso.com' }, 200],
    [{ upn: 'alice@contoso.com', smtp: 'alice@fabrikam.com' }, 403],
    [{ upn: 'alice@fabrikam.com' }, 403],
    [{ nameid: 'alice@contoso.com' }, 200],
  ])('users [*@contoso.com], claims %j: %i', async (claims, expected) => {
    rules([{ paths: ['/**'], right: 'read', users: ['*@contoso.com'] }])
    expect(await status('GET', '/api/x', user(claims))).toBe(expected)
  })

  it('never matches a SID-only user', async () => {
    rules([{ paths: ['/**'], right: 'read', users: ['*@contoso.com'] }], {}, { acceptSid: true })
    const sid = { nameid: 's-1-5-21-1-2-3-1000', nii: 'urn:office:idp:activedirectory' }
    expect(await status('GET', '/api/x', user(sid))).toBe(403)
    expect(await status('GET', '/api/x', user({ ...sid, upn: 'alice@contoso.com' }))).toBe(200)
  })
})

describe('order, absent and []', () => {
  it('checks access.deny before permissions and logs the entry', async () => {
    rules([{ name: 'all', paths: ['/**'], right: 'full' }], { deny: [{ name: 'no-admin', paths: ['/api/admin/**'] }] })
    const res = await send(stack.gw.url, 'GET', '/api/admin/users?token=secret', app())
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body)).toEqual({ error: 'forbidden', message: 'not allowed' })
    expect(stack.upstream.seen).toEqual([])
    const line = stack.gw.logs().filter((l) => l['msg'] === 'request').at(-1)
    expect(line).toMatchObject({ status: 403, outcome: 'forbidden', reason: 'denied_path', deny: 'no-admin', partner: 'exchange', method: 'GET', path: '/api/admin/users', access: 'deny' })
    expect(stack.gw.logText()).not.toContain('token=secret')
  })

  it('tells absent permissions (unrestricted) from [] (nothing)', async () => {
    rules(undefined)
    expect(await status('DELETE', '/anything')).toBe(200)
    expect(stack.upstream.seen[0]?.headers['x-s2s-permission']).toBeUndefined()
    rules([])
    expect(await status('GET', '/anything')).toBe(403)
    const line = stack.gw.logs().filter((l) => l['msg'] === 'request').at(-1)
    expect(line).toMatchObject({ reason: 'permission', partner: 'exchange', method: 'GET', path: '/anything' })
  })

  it('sends x-s2s-permission, and a client cannot forge it', async () => {
    rules([{ name: 'read-people', paths: ['/api/people/**'], right: 'read' }])
    expect(await status('GET', '/api/people/7', [...app(), ['x-s2s-permission', 'full-control']])).toBe(200)
    expect(stack.upstream.seen[0]?.headers['x-s2s-permission']).toBe('read-people')
  })

  it('answers Expect: 100-continue only once the request is allowed, and never reads a refused body', async () => {
    rules([{ paths: ['/api/**'], right: 'write' }])
    const refused = await send(stack.gw.url, 'PUT', '/other', [...app(), ['expect', '100-continue'], ['content-length', '5']], 'hello')
    expect(refused).toMatchObject({ status: 403, continued: false })
    const allowed = await send(stack.gw.url, 'PUT', '/api/x', [...app(), ['expect', '100-continue'], ['content-length', '5']], 'hello')
    expect(allowed).toMatchObject({ status: 200, continued: true })
    expect(stack.upstream.seen.map((r) => [r.url, r.body])).toEqual([['/api/x', 'hello']])
  })

  it('decides a WebSocket upgrade as a write before relaying it', async () => {
    const upgrade: Array<[string, string]> = [...app(), ['connection', 'upgrade'], ['upgrade', 'websocket']]
    rules([{ paths: ['/**'], right: 'read' }])
    expect(await status('GET', '/ws', upgrade)).toBe(403)
    expect(stack.upstream.seen).toHaveLength(0)
    rules([{ name: 'notify', paths: ['/**'], right: 'write' }])
    // The echo backend is no WebSocket server: it answers the relayed handshake as plain HTTP.
    expect(await status('GET', '/ws', upgrade)).toBe(200)
    expect(stack.upstream.seen.map((r) => [r.headers.upgrade, r.headers['x-s2s-permission']])).toEqual([['websocket', 'notify']])
  })
})

describe('shadow mode', () => {
  it('forwards what the rules refuse, logs wouldDeny with the reason, and counts it', async () => {
    rules([{ name: 'people', paths: ['/api/people/**'], right: 'read' }], { mode: 'shadow', deny: [{ name: 'no-admin', paths: ['/api/admin/**'] }] })
    expect(await status('DELETE', '/api/people/7')).toBe(200)
    expect(await status('GET', '/api/admin/x')).toBe(200)
    expect(await status('GET', '/api/people/7')).toBe(200)
    expect(stack.upstream.seen.map((r) => r.headers['x-s2s-permission'])).toEqual([undefined, undefined, 'people'])
    const lines = stack.gw.logs().filter((l) => l['msg'] === 'request').slice(-3)
    expect(lines[0]).toMatchObject({ status: 200, outcome: 'ok', wouldDeny: true, reason: 'permission', access: 'shadow_deny' })
    expect(lines[1]).toMatchObject({ status: 200, wouldDeny: true, reason: 'denied_path', deny: 'no-admin' })
    expect(lines[2]).not.toHaveProperty('wouldDeny')
    const metrics = await (await fetch(`${stack.gw.adminUrl}/metrics`)).text()
    expect(metrics).toMatch(/s2s_gateway_access_decisions_total\{partner="exchange",decision="shadow_deny"\} [2-9]/)
  })

  it('leaves authentication and trust level as they are', async () => {
    rules([], { mode: 'shadow' }, { trustLevel: 'application' })
    expect(await status('GET', '/x', [['authorization', 'Bearer nonsense']])).toBe(401)
    expect(await status('GET', '/x', user({ upn: 'alice@contoso.com' }))).toBe(403)
    expect(stack.upstream.seen).toEqual([])
  })
})

describe('reload', () => {
  it('adds and removes a permission for the next request', async () => {
    rules([{ name: 'people', paths: ['/api/people/**'], right: 'read' }])
    expect(await status('GET', '/api/org')).toBe(403)
    rules([{ name: 'people', paths: ['/api/people/**'], right: 'read' }, { name: 'org', paths: ['/api/org'], right: 'read' }])
    expect(await status('GET', '/api/org')).toBe(200)
    rules([{ name: 'org', paths: ['/api/org'], right: 'read' }])
    expect(await status('GET', '/api/people/7')).toBe(403)
    expect(await status('GET', '/api/org')).toBe(200)
  })

  it('shows permission names and deny counts on /status.json and counts decisions', async () => {
    rules([{ name: 'people', paths: ['/api/people/**'], right: 'read' }])
    expect(await status('GET', '/nope')).toBe(403)
    const report = (await (await fetch(`${stack.gw.adminUrl}/status.json`)).json()) as { partners: Array<Record<string, unknown>> }
    const row = report.partners.find((p) => p['name'] === 'exchange')
    expect(row?.['permissions']).toEqual(['people'])
    expect(row?.['accessDenied']).toBeGreaterThan(0)
    const page = await (await fetch(`${stack.gw.adminUrl}/status`)).text()
    expect(page).toContain('<code>people</code>')
    const metrics = await (await fetch(`${stack.gw.adminUrl}/metrics`)).text()
    expect(metrics).toMatch(/s2s_gateway_access_decisions_total\{partner="exchange",decision="deny"\} [1-9]/)
    expect(metrics).toMatch(/s2s_gateway_access_decisions_total\{partner="exchange",decision="allow"\} [1-9]/)
  })
})
