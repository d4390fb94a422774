// Integration (issue 4 §4): one access/audit line per request with partner, auth type, user, outcome, reason,
// upstream status, durations and request id; users hashed with logging.redactUsers; and no token,
// Authorization value or private key in the captured log at any level, whatever happened.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawHttp } from '../helpers/raw-http.js'
import { makeTestPartner, nowSec, wrapRaw, type TestPartner } from '../helpers/tokens.js'
import { eventually, startOperatingWorld, type OperatingWorld } from './operating-fixture.js'

const RELOAD_TOKEN = 'logs-test-reload-token-5f2e9c'

type Line = Record<string, unknown>
const accessLines = (w: OperatingWorld): Line[] => w.gw.logs().filter((l) => l['msg'] === 'request')

/** The access line of the request whose response carried this request-id header. */
async function lineFor(w: OperatingWorld, res: Response): Promise<Line> {
  const id = res.headers.get('request-id')
  let line: Line | undefined
  await eventually(() => (line = accessLines(w).find((l) => l['reqId'] === id)) !== undefined)
  return line as Line
}

describe('access lines', () => {
  let w: OperatingWorld
  beforeAll(async () => {
    w = await startOperatingWorld()
  })
  afterAll(async () => {
    await w?.close()
  })

  it('an app-only request: partner, auth type, outcome, statuses, durations, path without query', async () => {
    const res = await w.call(w.exchange.actorToken(), '/api/items?q=secret-query-value')
    expect(res.status).toBe(200)
    const line = await lineFor(w, res)
    expect(line).toMatchObject({ level: 30, method: 'GET', path: '/api/items', status: 200, outcome: 'ok', partner: 'exchange', authType: 'app', upstreamStatus: 200 })
    for (const field of ['durationMs', 'authMs', 'upstreamMs']) expect(line[field]).toEqual(expect.any(Number))
    expect(line['user']).toBeUndefined()
    expect(w.gw.logText()).not.toContain('secret-query-value')
  })

  it('a user request names the user by the configured claim (upn by default)', async () => {
    const res = await w.call(w.exchange.userToken({ upn: 'alice@contoso.com', smtp: 'alice.smtp@contoso.com' }))
    expect(await lineFor(w, res)).toMatchObject({ outcome: 'ok', authType: 'user', user: 'alice@contoso.com' })
  })

  it('honours and echoes a plain client-request-id as the request id', async () => {
    const res = await w.call(w.exchange.actorToken(), '/api', { 'client-request-id': 'b7d1c0de-1234-4abc-9def-0123456789ab' })
    expect(res.headers.get('client-request-id')).toBe('b7d1c0de-1234-4abc-9def-0123456789ab')
    expect((await lineFor(w, res))['reqId']).toBe('b7d1c0de-1234-4abc-9def-0123456789ab')
  })

  it('a rejection carries the code and the precise reason; a backend failure its kind', async () => {
    const expired = await w.call(w.exchange.actorToken({ nbf: nowSec() - 7200, exp: nowSec() - 360 }))
    expect(await lineFor(w, expired)).toMatchObject({ status: 401, outcome: 'rejected', code: 'GW_TOKEN_INVALID', reason: 'expired' })
    const forbidden = await w.call(w.hr.userToken({ upn: 'bob@contoso.com' }))
    expect(await lineFor(w, forbidden)).toMatchObject({ status: 403, outcome: 'forbidden', partner: 'hr-addin', reason: 'trust_level' })
    w.upstream.handler = (req) => req.socket.destroy()
    const reset = await w.call(w.exchange.actorToken(), '/reset')
    w.upstream.handler = undefined
    expect(await lineFor(w, reset)).toMatchObject({ status: 502, outcome: 'upstream_error', code: 'GW_UPSTREAM_UNREACHABLE', upstreamError: 'reset' })
  })
})

describe('logging.redactUsers and logging.userClaim', () => {
  it('redactUsers shows a stable sha256 prefix instead of the user, and the user never appears', async () => {
    const w = await startOperatingWorld({ overrides: () => ({ logging: { level: 'debug', redactUsers: true } }) })
    try {
      const res = await w.call(w.exchange.userToken({ upn: 'carol@contoso.com' }))
      const expected = `sha256:${createHash('sha256').update('carol@contoso.com').digest('hex').slice(0, 16)}`
      expect((await lineFor(w, res))['user']).toBe(expected)
      expect(w.gw.logText()).not.toContain('carol@contoso.com')
    } finally {
      await w.close()
    }
  })

  it('userClaim picks the claim shown', async () => {
    const w = await startOperatingWorld({ overrides: () => ({ logging: { level: 'info', userClaim: 'smtp' } }) })
    try {
      const res = await w.call(w.exchange.userToken({ upn: 'dave@contoso.com', smtp: 'dave.mail@contoso.com' }))
      expect((await lineFor(w, res))['user']).toBe('dave.mail@contoso.com')
    } finally {
      await w.close()
    }
  })
})

describe('secrets never reach the log, at any level', () => {
  let w: OperatingWorld
  let rogue: TestPartner
  const presented: string[] = []
  beforeAll(async () => {
    w = await startOperatingWorld({ overrides: () => ({ admin: { reloadToken: RELOAD_TOKEN }, logging: { level: 'debug' } }) })
    rogue = await makeTestPartner()
  })
  afterAll(async () => {
    await w?.close()
  })

  const send = async (token: string, path = '/api'): Promise<number> => {
    presented.push(token)
    return (await w.call(token, path)).status
  }

  it('across successes, every kind of rejection, backend failures, reloads and admin calls', async () => {
    const { exchange, hr, lync } = w
    expect(await send(exchange.actorToken())).toBe(200)
    expect(await send(exchange.userToken({ upn: 'erin@contoso.com' }))).toBe(200)
    expect(await send(exchange.actorToken({ nbf: nowSec() - 7200, exp: nowSec() - 360 }))).toBe(401) // expired
    expect(await send(exchange.actorToken({}, {}, rogue.cert.privateKey))).toBe(401) // bad signature
    expect(await send(exchange.actorToken({ aud: 'someone-else/host@contoso.com' }))).toBe(401) // audience
    expect(await send(rogue.actorToken({ iss: 'unknown-issuer@contoso.com', nameid: 'unknown-issuer@contoso.com' }))).toBe(401)
    expect(await send(wrapRaw({ iss: 'x' }, { alg: 'HS256' }, 'c2lnbmF0dXJlLXBhcnQtb2YtYS10b2tlbg'))).toBe(401)
    expect(await send(`${exchange.actorToken()}.extra-segment`)).toBe(401) // malformed
    expect(await send('A'.repeat(9000))).toBe(401) // too large
    expect(await send(hr.userToken({ upn: 'frank@contoso.com' }))).toBe(403)
    expect(await send(lync.actorToken())).toBe(503)
    const dotted = exchange.actorToken({ jti: 'dotted' })
    presented.push(dotted)
    expect((await rawHttp(w.gw.url, `GET /api/%2e%2e/admin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${dotted}\r\nConnection: close\r\n\r\n`)).status).toBe(400)
    const inQuery = exchange.actorToken({ jti: 'in-query' })
    presented.push(inQuery)
    expect((await fetch(`${w.gw.url}/api?access_token=${inQuery}`)).status).toBe(401)
    const twice = [exchange.actorToken({ jti: 'dup-1' }), exchange.actorToken({ jti: 'dup-2' })]
    presented.push(...twice)
    const dup = await rawHttp(w.gw.url, `GET /api HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${twice[0]}\r\nAuthorization: Bearer ${twice[1]}\r\nConnection: close\r\n\r\n`)
    expect(dup.status).toBe(400)
    w.upstream.handler = (req) => req.socket.destroy()
    expect(await send(exchange.actorToken(), '/reset')).toBe(502)
    w.upstream.handler = undefined
    // reloads: a good one, a refused one, then one to a backend that is gone (502 refused)
    w.writeConfig({ partners: w.partners, admin: { reloadToken: RELOAD_TOKEN }, logging: { level: 'debug' } })
    const auth = { authorization: `Bearer ${RELOAD_TOKEN}` }
    expect((await fetch(`${w.gw.adminUrl}/reload`, { method: 'POST', headers: auth })).status).toBe(200)
    expect((await fetch(`${w.gw.adminUrl}/reload`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-value-123456' } })).status).toBe(401)
    w.writeConfig({ partners: w.partners, admin: { reloadToken: 'short' }, upstream: { url: 'http://127.0.0.1:9', timeoutMs: 1000 } })
    expect((await fetch(`${w.gw.adminUrl}/reload`, { method: 'POST', headers: auth })).status).toBe(422)
    w.writeConfig({ partners: w.partners, admin: { reloadToken: RELOAD_TOKEN }, upstream: { url: 'http://127.0.0.1:9', timeoutMs: 1000 } })
    expect((await fetch(`${w.gw.adminUrl}/reload`, { method: 'POST', headers: auth })).status).toBe(200)
    expect(await send(exchange.actorToken({ jti: 'to-nowhere' }))).toBe(502)
    for (const path of ['/metrics', '/status', '/status.json', '/readyz']) expect((await fetch(`${w.gw.adminUrl}${path}`)).status).toBe(200)
    await eventually(() => accessLines(w).length >= presented.length - 2) // every request has closed (dup is one)

    const text = w.gw.logText()
    expect(w.gw.logs().some((l) => l['level'] === 20)).toBe(true) // debug lines were captured too
    for (const token of presented) {
      expect(text).not.toContain(token)
      for (const part of token.split('.').filter((p) => p.length >= 16)) expect(text).not.toContain(part)
    }
    // no Authorization value in any form ('bearer token required' is the fixed public message)
    expect(text.split('\n').filter((l) => /bearer\s+(?!token required)\S/i.test(l))).toEqual([])
    expect(text).not.toContain(RELOAD_TOKEN)
    expect(text).not.toContain('wrong-token-value-123456')
    for (const pem of [exchange.cert.keyPem, hr.cert.keyPem, lync.cert.keyPem, rogue.cert.keyPem, w.gw.issuerCert.keyPem]) {
      expect(text).not.toContain('PRIVATE KEY')
      for (const line of pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))) expect(text).not.toContain(line)
    }
  })
})
