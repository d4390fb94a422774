// Regression (issue 17, admin surface; issue 15 defect 6): /status, /status.json and /metrics answered any Host, so a
// web page could read them through DNS rebinding; POST /reload with no Origin but Sec-Fetch-Site: cross-site still
// reloaded; and a loopback caller refused for its Origin was told "loopback callers only". Now the admin listener
// answers only IP literals, localhost and admin.allowedHosts (421 otherwise), refuses browsers' state-changing
// requests, and says why: "cross-origin request refused".
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawHttp, type RawResponse } from '../helpers/raw-http.js'
import { startStack, type Stack } from '../helpers/stack.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack(() => ({ admin: { allowedHosts: ['Gateway-Admin.internal'] } }))
})
afterAll(() => stack?.close())

function admin(method: string, path: string, lines: string[]): Promise<RawResponse> {
  return rawHttp(stack.gw.adminUrl, [`${method} ${path} HTTP/1.1`, ...lines, ...(method === 'POST' ? ['Content-Length: 0'] : []), 'Connection: close', '', ''].join('\r\n'))
}

const port = (): string => new URL(stack.gw.adminUrl).port

describe('admin Host allow-list', () => {
  it.each(['/status', '/status.json', '/metrics', '/healthz', '/readyz'])('%s with a rebinding name as Host: 421, nothing served', async (path) => {
    const res = await admin('GET', path, [`Host: attacker.example:${port()}`])
    expect(res.status).toBe(421)
    expect(res.body).not.toContain('s2s_gateway')
    expect(res.body).not.toContain('exchange')
  })

  it.each([
    ['an IPv4 literal', () => `127.0.0.1:${port()}`],
    ['an IPv6 literal', () => `[::1]:${port()}`],
    ['a pod IP literal', () => '10.1.2.3:9464'],
    ['localhost', () => `localhost:${port()}`],
    ['LOCALHOST', () => 'LOCALHOST'],
    ['a name in admin.allowedHosts (any case)', () => `gateway-admin.INTERNAL:${port()}`],
  ])('%s is answered', async (_label, host) => {
    expect((await admin('GET', '/healthz', [`Host: ${host()}`])).status).toBe(200)
  })

  it.each(['localhost.attacker.example', '127.0.0.1.nip.io', 'localhost.', 'gateway-admin.internal.evil'])('%s is refused', async (host) => {
    expect((await admin('GET', '/metrics', [`Host: ${host}`])).status).toBe(421)
  })

  it('the refused name is not logged (caller-chosen text)', async () => {
    await admin('GET', '/status', ['Host: secret-name-7q.example'])
    expect(stack.gw.logText()).not.toContain('secret-name-7q')
  })
})

describe('browsers may not change admin state', () => {
  const host = (): string => `Host: 127.0.0.1:${port()}`

  it('POST /reload with Sec-Fetch-Site: cross-site and no Origin is refused (403)', async () => {
    const res = await admin('POST', '/reload', [host(), 'Sec-Fetch-Site: cross-site'])
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body)).toEqual({ error: 'forbidden', message: 'cross-origin request refused', result: 'refused' })
  })

  it('Sec-Fetch-Site: same-site is refused too', async () => {
    expect((await admin('POST', '/reload', [host(), 'Sec-Fetch-Site: same-site'])).status).toBe(403)
  })

  it('issue 15 defect 6: an Origin from a loopback caller is refused as cross-origin, not as "loopback callers only"', async () => {
    const res = await admin('POST', '/reload', [host(), 'Origin: http://x'])
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body)).toEqual({ error: 'forbidden', message: 'cross-origin request refused', result: 'refused' })
  })

  it('a plain loopback POST /reload still passes the guard (501 here: this gateway has no file to reload)', async () => {
    expect((await admin('POST', '/reload', [host()])).status).toBe(501)
    expect((await admin('POST', '/reload', [host(), 'Sec-Fetch-Site: none'])).status).toBe(501)
  })

  it('reading is not a state change: GET /status with Sec-Fetch-Site: same-origin is served', async () => {
    expect((await admin('GET', '/status.json', [host(), 'Sec-Fetch-Site: same-origin'])).status).toBe(200)
  })
})
