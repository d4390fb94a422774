// Class test (issue 17, hole 2): no log line holds a query string. Every error path we can reach on every listener
// is taken with a marker in the query (and, where the request has a target at all, in the path's query only), then
// the whole log output is scanned for it. The warning on hole 1's path quoted the raw URL, query and token included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConn } from '../helpers/raw-conn.js'
import { rawHttp } from '../helpers/raw-http.js'
import { metadataPartner } from '../helpers/gateway.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'
import { startStack, type Stack } from '../helpers/stack.js'

const MARKER = 'qmark-5e1d9c'
const Q = `?access_token=${MARKER}&x=${MARKER}`

const DOWN_ID = '99999999-0000-0000-0000-000000000001'
let stack: Stack
let down: TestPartner
beforeAll(async () => {
  down = await makeTestPartner({ id: DOWN_ID })
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({
    upstream: { url: upstreamUrl, timeoutMs: 400 },
    listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, outbound: { host: '127.0.0.1', port: 0 } },
    connections: { firstByteTimeoutMs: 300, headersTimeoutMs: 400, bodyIdleTimeoutMs: 400, rejectedBodyTimeoutMs: 400 },
    publicPaths: ['/public'],
    // 'down': its metadata server does not exist, so its tokens get 503 (keys unavailable).
    partners: [metadataPartner('exchange', metadataUrl), metadataPartner('down', 'http://127.0.0.1:1/metadata/json/1', { applicationId: DOWN_ID, realm: 'contoso.com' })],
  }))
  // Paths the echo backend fails on: /hang never answers (504), /reset drops the connection (502).
  stack.upstream.handler = (req, res) => {
    if (req.url?.startsWith('/hang') === true) return
    if (req.url?.startsWith('/reset') === true) return void req.socket.destroy()
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
  }
})
afterAll(() => stack?.close())

const hostOf = (url: string): string => new URL(url).host
const send = (url: string, lines: string[], body = ''): ReturnType<typeof rawHttp> =>
  rawHttp(url, [...lines.slice(0, 1), `Host: ${hostOf(url)}`, ...lines.slice(1), 'Connection: close', '', ''].join('\r\n') + body, 3000)

describe('no log line holds a query string, whichever way the request fails', () => {
  it('takes every reachable error path with a marker in the query, then finds the marker nowhere in the log', async () => {
    const gw = stack.gw
    const good = `Authorization: Bearer ${stack.exchange.actorToken()}`
    const statuses: Record<string, number> = {}
    const take = async (label: string, p: Promise<{ status: number }>): Promise<void> => {
      statuses[label] = (await p).status
    }
    const inbound = gw.url
    await take('401 no token', send(inbound, [`GET /api/x${Q} HTTP/1.1`]))
    await take('401 bad token', send(inbound, [`GET /api/x${Q} HTTP/1.1`, 'Authorization: Bearer not.a.token']))
    await take('401 unencodable claim', send(inbound, [`GET /api/x${Q} HTTP/1.1`, `Authorization: Bearer ${stack.exchange.userToken({ upn: 'a\ud800@contoso.com' })}`]))
    await take('400 bad url', send(inbound, [`GET /api/%zz${Q} HTTP/1.1`]))
    await take('400 ambiguous path', send(inbound, [`GET /api/%2e%2e/x${Q} HTTP/1.1`, good]))
    await take('400 two hosts', send(inbound, [`GET /api/x${Q} HTTP/1.1`, 'Host: other']))
    await take('400 content-length 010', send(inbound, [`POST /api/x${Q} HTTP/1.1`, good, 'Content-Length: 010'], '0123456789'))
    await take('503 partner keys unavailable', send(inbound, [`GET /api/x${Q} HTTP/1.1`, `Authorization: Bearer ${down.actorToken()}`]))
    await take('404 unknown method', send(inbound, [`FROB /api/x${Q} HTTP/1.1`, good]))
    await take('TRACE', send(inbound, [`TRACE /api/x${Q} HTTP/1.1`, good]))
    await take('upgrade', send(inbound, [`GET /ws${Q} HTTP/1.1`, good, 'Connection: Upgrade', 'Upgrade: websocket']))
    await take('absolute form', send(inbound, [`GET http://evil.example/api${Q} HTTP/1.1`, good]))
    await take('502 backend reset', send(inbound, [`GET /reset${Q} HTTP/1.1`, good]))
    await take('504 backend silent', send(inbound, [`GET /hang${Q} HTTP/1.1`, good]))
    await take('public ok', send(inbound, [`GET /public${Q} HTTP/1.1`]))
    await take('401 over the rejected-body bound', send(inbound, [`POST /api/x${Q} HTTP/1.1`, 'Content-Length: 1000000'], 'x'.repeat(100)))
    await take('401 expect 100-continue', send(inbound, [`PUT /api/x${Q} HTTP/1.1`, 'Expect: 100-continue', 'Content-Length: 10']))
    await take('CONNECT', send(inbound, [`CONNECT evil.example:443${Q} HTTP/1.1`]))
    // A head cut for slowness, and a body that stops: the connection guard's lines.
    const slowHead = await openConn(inbound)
    slowHead.write(`GET /api/x${Q} HTTP/1.1\r\nHost: ${hostOf(inbound)}\r\n`)
    slowHead.dribble('x-pad: 1\r\n', 100)
    const stalled = await openConn(inbound)
    stalled.write(`POST /public${Q} HTTP/1.1\r\nHost: ${hostOf(inbound)}\r\nContent-Length: 100\r\n\r\nabc`)
    await Promise.all([slowHead.closed, stalled.closed])

    const admin = gw.adminUrl
    await take('admin 421', rawHttp(admin, `GET /status${Q} HTTP/1.1\r\nHost: rebind.example\r\nConnection: close\r\n\r\n`))
    await take('admin 403 cross-origin', send(admin, [`POST /reload${Q} HTTP/1.1`, 'Origin: http://x', 'Content-Length: 0']))
    await take('admin 404', send(admin, [`GET /nothing-here${Q} HTTP/1.1`]))
    await take('admin bad url', send(admin, [`GET /status%zz${Q} HTTP/1.1`]))
    await take('admin status', send(admin, [`GET /status.json${Q} HTTP/1.1`]))

    const outbound = gw.running.outboundUrl ?? ''
    await take('outbound unknown partner', send(outbound, [`GET /nobody/x${Q} HTTP/1.1`]))
    await take('outbound TRACE', send(outbound, [`TRACE /exchange/x${Q} HTTP/1.1`]))
    await take('outbound ambiguous', send(outbound, [`GET /exchange/%2e%2e/x${Q} HTTP/1.1`]))

    expect(statuses).toMatchObject({
      '401 no token': 401, '401 bad token': 401, '401 unencodable claim': 401, '400 bad url': 400, '400 ambiguous path': 400,
      '400 two hosts': 400, '400 content-length 010': 400, '503 partner keys unavailable': 503, '502 backend reset': 502, '504 backend silent': 504, 'public ok': 200,
      '401 over the rejected-body bound': 401, 'admin 421': 421, 'admin 403 cross-origin': 403, 'admin 404': 404,
      'outbound unknown partner': 404,
    })
    const text = stack.gw.logText()
    expect(text.length).toBeGreaterThan(0)
    expect(text).not.toContain(MARKER)
  })
})
