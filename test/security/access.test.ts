// Security suite, access (issue 10): no spelling of a path reaches what its pattern does not allow, no override
// header widens a permission, and no client copy of x-s2s-permission survives. Exchange may read /api/people/**
// only; access.deny keeps /api/admin/** from everyone; paths are compared case-insensitively (an IIS backend).
import { afterAll, beforeAll, describe } from 'vitest'
import { metadataPartner } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'
import { securityTally } from './report.js'
import { bearer, expectAccepted, expectRefused, identity, send, startWorld, type World } from './world.js'

const READER_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
let w: World
let reader: TestPartner
let readerMeta: MetadataServer
beforeAll(async () => {
  reader = await makeTestPartner({ id: READER_ID })
  readerMeta = await startMetadataServer(reader)
  w = await startWorld({ access: { caseInsensitivePaths: true, deny: [{ name: 'no-admin', paths: ['/api/admin/**'] }] } }, {
    partners: [metadataPartner('reader', readerMeta.url, { permissions: [{ name: 'read-people', paths: ['/api/people/**'], right: 'read' }] })],
  })
  await w.gw.running.gateway.warmUp()
})
afterAll(async () => {
  await w?.close()
  await readerMeta?.close()
})

const tally = securityTally('access', import.meta.url)
/** exchange has no permissions (only access.deny applies); reader may read /api/people/** only. */
const auth = (): string => bearer(w.exchange.actorToken())
const readerAuth = (): string => bearer(reader.actorToken())
const withPermission = (name: string): Array<[string, string]> =>
  [...identity({ partner: 'reader', id: READER_ID, trust: 'full', type: 'app' }), ['x-s2s-permission', name] as [string, string]].sort(([a], [b]) => a.localeCompare(b))

describe('spellings of a denied path (access.deny /api/admin/**)', () => {
  for (const [title, target, status] of [
    ['the path itself', '/api/admin/users', 403],
    ['upper case on a case-insensitive backend', '/API/Admin/users', 403],
    ['a percent-encoded letter', '/api/%61dmin/users', 403],
    ['a percent-encoded upper-case letter', '/api/%41DMIN/users', 403],
    ['a servlet path parameter', '/api/admin;x=1/users', 403],
    ['an empty path parameter', '/api/admin;/users', 403],
    ['the bare prefix', '/api/admin', 403],
    ['a trailing slash', '/api/admin/', 403],
    ['a dot-dot segment back into it', '/api/people/../admin/users', 400],
    ['an encoded dot-dot segment', '/api/people/%2e%2e/admin/users', 400],
    ['a Tomcat-style "..;" segment', '/api/people/..;/admin/users', 400],
    ['an encoded slash', '/api/people%2F..%2Fadmin/users', 400],
    ['an empty segment', '/api//admin/users', 400],
    ['a backslash', '/api\\admin/users', 400],
  ] as const) {
    tally.attack('access', `${title}: ${target}`, () => expectRefused(w, send(w, target, [auth()]), status))
  }
})

describe('spellings outside a permission (read /api/people/**)', () => {
  for (const [title, target] of [
    ['a longer segment with the same prefix', '/api/peoplex/7'],
    ['the query naming an allowed path', '/api/org?p=/api/people/7'],
    ['an encoded reserved character standing for a segment end', '/api/people%3F/7'.replace('people%3F', 'peo%70le%3F')],
  ] as const) {
    tally.attack('access', `${title}: ${target}`, () => expectRefused(w, send(w, target, [readerAuth()]), 403, { reason: 'permission' }))
  }
  tally.attack('access', 'a fragment after the query naming an allowed path (400 before authentication)', () =>
    expectRefused(w, send(w, '/api/org?#/api/people', [readerAuth()]), 400))
  tally.attack('access', 'a write method on a read permission', () => expectRefused(w, send(w, '/api/people/7', [readerAuth()], 'DELETE'), 403))
  tally.attack('access', 'a WebDAV write method (PROPPATCH) on a read permission', () => expectRefused(w, send(w, '/api/people/7', [readerAuth()], 'PROPPATCH'), 403))
  tally.attack('access', 'a WebSocket upgrade on a read permission', () =>
    expectRefused(w, send(w, '/api/people/7', [readerAuth(), 'Connection: Upgrade', 'Upgrade: websocket']), 403))
})

describe('method overrides', () => {
  for (const header of ['X-HTTP-Method', 'X-HTTP-Method-Override', 'X-Method-Override', 'X_HTTP_Method']) {
    tally.attack('access', `${header}: DELETE over GET on a read permission`, () => expectRefused(w, send(w, '/api/people/7', [readerAuth(), `${header}: DELETE`]), 403))
  }
  tally.attack('access', 'a lower-case override method', () => expectRefused(w, send(w, '/api/people/7', [readerAuth(), 'X-HTTP-Method: delete']), 403))
  tally.attack('access', 'the override header twice', () => expectRefused(w, send(w, '/api/people/7', [readerAuth(), 'X-HTTP-Method: GET', 'X-HTTP-Method: DELETE']), 400))
  tally.attack('access', 'two spellings of the override header', () => expectRefused(w, send(w, '/api/people/7', [readerAuth(), 'X-HTTP-Method: GET', 'x_http_method: DELETE']), 400))
  tally.attack('access', 'a list of override methods', () => expectRefused(w, send(w, '/api/people/7', [readerAuth(), 'X-HTTP-Method: GET, DELETE']), 400))
  tally.attack('access', 'an override into a denied path is still denied', () =>
    expectRefused(w, send(w, '/api/admin/x', [readerAuth(), 'X-HTTP-Method: GET']), 403))
})

describe('what the backend is told', () => {
  tally.attack('access', 'a client copy of x-s2s-permission is replaced by the deciding permission', () =>
    expectAccepted(w, send(w, '/api/people/7', [readerAuth(), 'X-S2S-Permission: full-control', 'x_s2s_permission: full-control']), withPermission('read-people')))
  tally.control('access', 'the permitted path, with an override the same permission grants', () =>
    expectAccepted(w, send(w, '/api/people/7', [readerAuth(), 'X-HTTP-Method: HEAD']), withPermission('read-people')))
  tally.control('access', 'a percent-encoded spelling of the permitted path, forwarded as it arrived', () =>
    expectAccepted(w, send(w, '/API/%70eople/7', [readerAuth()]), withPermission('read-people')))
})
