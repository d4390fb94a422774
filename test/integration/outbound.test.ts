// Integration: the outbound listener on loopback. Calls from the backend reach a partner stub that trusts the
// gateway only through its published metadata document; app-only and user tokens, header hygiene, bodies,
// errors, realm discovery (SharePoint and Exchange challenge styles) and the shared secret.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfigObject } from '../../src/config/index.js'
import { createLogger } from '../../src/log/logger.js'
import { startGateway } from '../../src/lifecycle/start-gateway.js'
import { baseConfig, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { SHAREPOINT_ID, startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { SERVICE_ID, nowSec } from '../helpers/tokens.js'
import { rawHttp } from '../helpers/raw-http.js'
import { call, listenWithOutbound, outboundPartner, segment } from './outbound-call.js'

let upstream: EchoUpstream
let sharepoint: PartnerStub
let lync: PartnerStub
let gw: TestGateway
let out: string

beforeAll(async () => {
  upstream = await startEchoUpstream()
  sharepoint = await startPartnerStub()
  lync = await startPartnerStub({ id: '00000004-0000-0ff1-ce00-000000000000' })
  gw = await startTestGateway(upstream.url, {
    listen: listenWithOutbound(),
    partners: [
      outboundPartner('sharepoint', sharepoint.metadataUrl, `${sharepoint.url}/sites/hr`, { actAsUsers: true }),
      outboundPartner('lync', lync.metadataUrl, lync.url),
      { name: 'inbound-only', metadataUrl: lync.metadataUrl.replace('/metadata', '/other/metadata'), allowHttp: true, applicationId: '11111111-2222-3333-4444-555555555555' },
    ],
  })
  out = gw.running.outboundUrl ?? ''
  for (const stub of [sharepoint, lync]) stub.gatewayMetadataUrl = `${gw.url}/metadata/json/1`
})
afterAll(async () => {
  await gw?.close()
  await Promise.all([sharepoint?.close(), lync?.close(), upstream?.close()])
})
beforeEach(() => {
  for (const stub of [sharepoint, lync]) {
    stub.accepted.length = 0
    stub.rejections.length = 0
    stub.rejectAll = undefined
  }
})

describe('app-only calls', () => {
  it('reach the partner with an actor token it verifies against our published metadata only', async () => {
    const res = await call(out, '/sharepoint/_api/web/lists?$top=1')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ ok: true, authType: 'app', url: '/sites/hr/_api/web/lists?$top=1' })
    const seen = sharepoint.accepted[0]
    expect(seen?.header).toEqual({ typ: 'JWT', alg: 'RS256', x5t: gw.issuerCert.x5t })
    const issuer = `${SERVICE_ID}@contoso.com`
    const now = nowSec()
    expect(seen?.actor).toMatchObject({ iss: issuer, nameid: issuer, aud: `${SHAREPOINT_ID}/${new URL(sharepoint.url).host}@contoso.com` })
    expect(seen?.actor['trustedfordelegation']).toBeUndefined()
    const { nbf, exp } = seen?.actor as { nbf: number; exp: number }
    expect(typeof nbf).toBe('number')
    expect(exp - nbf).toBe(3600 + 300)
    expect(Math.abs(nbf - (now - 300))).toBeLessThanOrEqual(5)
  })

  it('reuses the cached token for the next call', async () => {
    await call(out, '/sharepoint/a')
    await call(out, '/sharepoint/b')
    const [first, second] = sharepoint.accepted
    expect(first?.headers.authorization).toBeDefined()
    expect(second?.headers.authorization).toBe(first?.headers.authorization)
  })

  it('writes one flat access line per call: the path without its query, never the token', async () => {
    const res = await call(out, '/sharepoint/_api/line-check?$filter=secret-query-7a1')
    expect(res.status).toBe(200)
    const lines = gw.logs().filter((l) => l['msg'] === 'outbound call' && l['path'] === '/sharepoint/_api/line-check')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 30, method: 'GET', partner: 'sharepoint', status: 200, outcome: 'ok', authType: 'app', retried: false, x5t: gw.issuerCert.x5t })
    expect(typeof lines[0]?.['durationMs']).toBe('number')
    const token = (sharepoint.accepted.at(-1)?.headers.authorization ?? '').replace(/^Bearer /, '')
    expect(token.length).toBeGreaterThan(100)
    expect(gw.logText()).not.toContain(token)
    expect(gw.logText()).not.toContain('secret-query-7a1')
  })

  it('forwards method, path, query and body, and removes what the partner must not see', async () => {
    const body = JSON.stringify({ title: 'hello' })
    const res = await call(out, '/sharepoint/_api/items?x=1&y=%2F', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        authorization: 'Basic YmFja2VuZDpzZWNyZXQ=',
        connection: 'keep-alive, x-hop',
        'x-hop': 'nominated hop-by-hop',
        'x-keep': 'kept',
        'x-s2s-partner': 'spoofed',
        'x-forwarded-for': '10.0.0.1',
        'proxy-authorization': 'Basic abc',
      },
    })
    expect(res.status).toBe(200)
    const seen = sharepoint.accepted[0]
    expect(seen).toMatchObject({ method: 'POST', url: '/sites/hr/_api/items?x=1&y=%2F', body })
    expect(seen?.headers.authorization).toMatch(/^Bearer ey/)
    expect(seen?.headers['x-keep']).toBe('kept')
    expect(seen?.headers['content-type']).toBe('application/json')
    for (const gone of ['x-hop', 'x-s2s-partner', 'x-forwarded-for', 'proxy-authorization']) expect(seen?.headers[gone]).toBeUndefined()
    expect(res.headers['x-partner']).toBe('stub')
  })

  it('streams a body larger than the replay cap to the partner intact', async () => {
    const body = Buffer.alloc(300 * 1024, 'abcdefghij')
    const res = await call(out, '/sharepoint/upload', { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } })
    expect(res.status).toBe(200)
    expect(sharepoint.accepted[0]?.body).toBe(body.toString('utf8'))
  })
})

describe('calls on behalf of a user', () => {
  it('wrap an actor token with trustedfordelegation in an unsigned outer token carrying the claims as sent', async () => {
    const res = await call(out, '/sharepoint/_api/me', {
      headers: { 'x-s2s-act-as-upn': 'alice@contoso.com', 'x-s2s-act-as-smtp': 'alice.smith@contoso.com', 'x-s2s-act-as-sip': 'alice@contoso.com' },
    })
    expect(res.status).toBe(200)
    const seen = sharepoint.accepted[0]
    expect(seen?.authType).toBe('user')
    expect(seen?.user).toEqual({ upn: 'alice@contoso.com', smtp: 'alice.smith@contoso.com', sip: 'alice@contoso.com' })
    expect(seen?.actor['trustedfordelegation']).toBe('true')
    for (const name of Object.keys(seen?.headers ?? {})) expect(name.startsWith('x-s2s-')).toBe(false)
    const outer = String(seen?.headers.authorization).slice('Bearer '.length)
    expect(segment(outer, 0)).toEqual({ typ: 'JWT', alg: 'none' })
    expect(outer.endsWith('.')).toBe(true)
  })

  it('sends nameid with nii, and decodes percent-encoded UTF-8 values', async () => {
    const res = await call(out, '/sharepoint/_api/me', {
      headers: { 'x-s2s-act-as-nameid': 's-1-5-21-1-2-3-1104', 'x-s2s-act-as-nii': 'urn:office:idp:activedirectory', 'x-s2s-act-as-upn': 'j%C3%BCrgen@contoso.com' },
    })
    expect(res.status).toBe(200)
    expect(sharepoint.accepted[0]?.user).toEqual({ nameid: 's-1-5-21-1-2-3-1104', nii: 'urn:office:idp:activedirectory', upn: 'jürgen@contoso.com' })
  })

  it('gives each user its own token and keeps app-only calls app-only', async () => {
    await call(out, '/sharepoint/x', { headers: { 'x-s2s-act-as-upn': 'alice@contoso.com' } })
    await call(out, '/sharepoint/x', { headers: { 'x-s2s-act-as-upn': 'bob@contoso.com' } })
    await call(out, '/sharepoint/x')
    expect(sharepoint.accepted.map((c) => [c.authType, c.user?.['upn']])).toEqual([['user', 'alice@contoso.com'], ['user', 'bob@contoso.com'], ['app', undefined]])
  })

  it('is refused with 403 for a partner without outbound.actAsUsers, before anything is sent', async () => {
    const res = await call(out, '/lync/ucwa', { headers: { 'x-s2s-act-as-upn': 'alice@contoso.com' } })
    expect(res.status).toBe(403)
    expect(res.json).toEqual({ error: 'forbidden', message: expect.stringContaining('outbound.actAsUsers'), code: 'GW_OUTBOUND_ACT_AS_DENIED', partner: 'lync' })
    expect(lync.accepted).toEqual([])
  })

  it.each([
    ['nii without nameid', { 'x-s2s-act-as-nii': 'urn:office:idp:activedirectory' }],
    ['an empty value', { 'x-s2s-act-as-upn': '' }],
    ['bad percent-encoding', { 'x-s2s-act-as-upn': 'a%zz@contoso.com' }],
    ['an encoded control character', { 'x-s2s-act-as-upn': 'a%0Ab@contoso.com' }],
  ])('is refused with 400 for %s', async (_name, headers) => {
    const res = await call(out, '/sharepoint/x', { headers })
    expect(res.status).toBe(400)
    expect(res.json?.['code']).toBe('GW_BAD_REQUEST')
    expect(sharepoint.accepted).toEqual([])
  })
})

describe('upgrades', () => {
  it('answers 501 to a WebSocket upgrade and sends nothing to the partner', async () => {
    const res = await rawHttp(out, ['GET /sharepoint/socket HTTP/1.1', 'Host: x', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '', ''].join('\r\n'))
    expect(res.status).toBe(501)
    expect(sharepoint.accepted).toEqual([])
  })
})

describe('only configured partners', () => {
  it.each([
    ['an unknown name', '/nobody/x'],
    ['a partner without an outbound section', '/inbound-only/x'],
    ['no name at all', '/'],
  ])('answers 404 for %s', async (_name, path) => {
    // Exactly 404 (issue 15: this test accepted 400 too, so it could not tell the two answers apart).
    const res = await call(out, path)
    expect(res.status).toBe(404)
    expect(res.json).toEqual({ error: 'not_found', message: 'no partner of that name is configured for outbound calls', code: 'GW_OUTBOUND_UNKNOWN_PARTNER' })
  })

  it('answers 400 for a URL as the name (an encoded slash never reaches the partner lookup)', async () => {
    const res = await call(out, '/http:%2F%2Fevil.example/x')
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ error: 'bad_request', message: 'bad request', code: 'GW_BAD_REQUEST' })
  })

  it('never follows an absolute-form target or a dot segment out of the partner', async () => {
    expect((await call(out, '/sharepoint/../lync/x')).status).toBe(400)
    expect((await call(out, 'http://evil.example/x')).status).toBe(400)
    expect(lync.accepted).toEqual([])
  })

  it('counts outbound calls and issued tokens in the metrics', async () => {
    await call(out, '/sharepoint/metrics-probe')
    const text = await (await fetch(`${gw.adminUrl}/metrics`)).text()
    expect(text).toMatch(/s2s_gateway_outbound_requests_total\{partner="sharepoint",status_class="2xx"\} [1-9]/)
    expect(text).toMatch(/s2s_gateway_outbound_requests_total\{partner="unknown",status_class="4xx"\} [1-9]/)
    expect(text).toMatch(/s2s_gateway_tokens_issued_total\{partner="sharepoint",auth_type="user"\} [1-9]/)
    // The outbound listener's calls are requests too, under their own listener label (issue 13).
    expect(text).toMatch(/s2s_gateway_requests_total\{listener="outbound",partner="sharepoint",auth_type="(app|user)",outcome="ok"\} [1-9]/)
    expect(text).toMatch(/s2s_gateway_requests_total\{listener="outbound",partner="unknown",auth_type="none",outcome="bad_request"\} [1-9]/)
    expect(text).toMatch(/s2s_gateway_request_duration_seconds_count\{listener="outbound",outcome="ok"\} [1-9]/)
  })
})

describe('a partner that rejects or cannot be reached', () => {
  it('passes the partner 401 on after one retry, challenge included', async () => {
    sharepoint.rejectAll = 'issuer_not_trusted'
    const res = await call(out, '/sharepoint/x', { method: 'POST', body: 'small' })
    expect(res.status).toBe(401)
    expect(String(res.headers['www-authenticate'])).toContain('Bearer realm="contoso.com"')
    expect(sharepoint.rejections).toEqual(['issuer_not_trusted', 'issuer_not_trusted'])
  })

  it('answers 502 with a clear JSON error when nothing listens', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const dead = await startTestGateway(upstream.url, {
      listen: listenWithOutbound(),
      partners: [outboundPartner('dead', sharepoint.metadataUrl, `http://127.0.0.1:${port}`)],
    })
    try {
      const res = await call(dead.running.outboundUrl ?? '', '/dead/x')
      expect(res.status).toBe(502)
      expect(res.json).toEqual({ error: 'bad_gateway', message: 'partner unreachable', code: 'GW_OUTBOUND_UNREACHABLE', partner: 'dead', fault: 'refused' })
    } finally {
      await dead.close()
    }
  })

  it('answers 504 when the partner does not answer in time', async () => {
    const hanging = http.createServer(() => {})
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`
    const slow = await startTestGateway(upstream.url, {
      listen: listenWithOutbound(),
      partners: [outboundPartner('slow', sharepoint.metadataUrl, url, { timeoutMs: 200 })],
    })
    try {
      const res = await call(slow.running.outboundUrl ?? '', '/slow/x')
      expect(res.status).toBe(504)
      expect(res.json).toMatchObject({ error: 'gateway_timeout', code: 'GW_OUTBOUND_TIMEOUT', partner: 'slow', fault: 'timeout' })
    } finally {
      await slow.close()
      hanging.closeAllConnections()
      hanging.close()
    }
  })
})

describe('realm discovery', () => {
  it('probes and retries once when the partner expects another realm than its metadata names (SharePoint style)', async () => {
    const stub = await startPartnerStub({ realm: 'fabrikam.com', metadataRealm: 'fabrikam-old.com' })
    const g = await startTestGateway(upstream.url, { listen: listenWithOutbound(), partners: [outboundPartner('sp', stub.metadataUrl, stub.url)] })
    stub.gatewayMetadataUrl = `${g.url}/metadata/json/1`
    try {
      const first = await call(g.running.outboundUrl ?? '', '/sp/items', { method: 'POST', body: 'replayed body' })
      expect(first.status).toBe(200)
      expect(stub.rejections).toEqual(['audience'])
      expect(stub.probes).toBe(1)
      expect(stub.accepted[0]?.body).toBe('replayed body')
      expect(stub.accepted[0]?.actor['aud']).toMatch(/@fabrikam\.com$/)
      const second = await call(g.running.outboundUrl ?? '', '/sp/items')
      expect(second.status).toBe(200)
      expect(stub.rejections).toEqual(['audience'])
      expect(stub.probes).toBe(1)
    } finally {
      await g.close()
      await stub.close()
    }
  })

  it('probes first for a partner registered with realm "*", and uses our realm when its challenge names none (Exchange style)', async () => {
    const stub = await startPartnerStub({ id: '00000002-0000-0ff1-ce00-000000000000', realm: 'contoso.com', metadataRealm: '*', challengeStyle: 'exchange' })
    const g = await startTestGateway(upstream.url, { listen: listenWithOutbound(), partners: [outboundPartner('exchange', stub.metadataUrl, stub.url)] })
    stub.gatewayMetadataUrl = `${g.url}/metadata/json/1`
    try {
      const res = await call(g.running.outboundUrl ?? '', '/exchange/EWS/Exchange.asmx')
      expect(res.status).toBe(200)
      expect(stub.probes).toBe(1)
      expect(stub.rejections).toEqual([])
      expect(stub.accepted[0]?.actor['aud']).toBe(`00000002-0000-0ff1-ce00-000000000000/${new URL(stub.url).host}@contoso.com`)
    } finally {
      await g.close()
      await stub.close()
    }
  })

  it('does not replay a streamed body: the 401 goes back, and the next call succeeds', async () => {
    const stub = await startPartnerStub({ realm: 'fabrikam.com', metadataRealm: 'fabrikam-old.com' })
    const g = await startTestGateway(upstream.url, { listen: listenWithOutbound(), partners: [outboundPartner('sp', stub.metadataUrl, stub.url)] })
    stub.gatewayMetadataUrl = `${g.url}/metadata/json/1`
    try {
      const big = Buffer.alloc(100 * 1024, 'x')
      const first = await call(g.running.outboundUrl ?? '', '/sp/upload', { method: 'PUT', body: big })
      expect(first.status).toBe(401)
      expect(stub.rejections).toEqual(['audience'])
      const second = await call(g.running.outboundUrl ?? '', '/sp/upload', { method: 'PUT', body: 'small' })
      expect(second.status).toBe(200)
    } finally {
      await g.close()
      await stub.close()
    }
  })
})

describe('shared secret', () => {
  it('is required in x-s2s-outbound-secret when set, and never reaches the partner', async () => {
    const secret = 'a-very-long-outbound-secret'
    const g = await startTestGateway(upstream.url, { listen: listenWithOutbound({ sharedSecret: secret }), partners: [outboundPartner('sharepoint', sharepoint.metadataUrl, sharepoint.url)] })
    try {
      const base = g.running.outboundUrl ?? ''
      expect((await call(base, '/sharepoint/x')).json).toMatchObject({ error: 'forbidden', code: 'GW_OUTBOUND_SECRET' })
      expect((await call(base, '/sharepoint/x', { headers: { 'x-s2s-outbound-secret': `${secret}x` } })).status).toBe(403)
      expect((await call(base, '/nobody/x')).status).toBe(403) // no partner names revealed without the secret
      expect(sharepoint.accepted).toEqual([])
      const ok = await call(base, '/sharepoint/x', { headers: { 'x-s2s-outbound-secret': secret } })
      expect(ok.status).toBe(200)
      expect(sharepoint.accepted[0]?.headers['x-s2s-outbound-secret']).toBeUndefined()
      expect(g.logText()).not.toContain(secret)
    } finally {
      await g.close()
    }
  })

  it('stays required off loopback even after a reload drops listen.outbound (never an open relay)', async () => {
    const secret = 'a-very-long-outbound-secret'
    const partners = [outboundPartner('sharepoint', sharepoint.metadataUrl, sharepoint.url)]
    const g = await startTestGateway(upstream.url, { listen: listenWithOutbound({ host: '0.0.0.0', sharedSecret: secret }), partners })
    try {
      const base = `http://127.0.0.1:${new URL(g.running.outboundUrl ?? '').port}`
      g.reload({ partners })
      expect((await call(base, '/sharepoint/x')).status).toBe(403)
      expect((await call(base, '/sharepoint/x', { headers: { 'x-s2s-outbound-secret': secret } })).status).toBe(200)
    } finally {
      await g.close()
    }
  })

  it('is what lets the listener bind off loopback: without it the gateway refuses to start', async () => {
    const dir = gw.dir
    const raw = baseConfig(dir, upstream.url, { listen: listenWithOutbound({ sharedSecret: 'a-very-long-outbound-secret' }) })
    const { config } = loadConfigObject(raw, { baseDir: dir })
    const open = structuredClone(config) as typeof config & { listen: { outbound: { host: string; sharedSecret?: string } } }
    open.listen.outbound.host = '0.0.0.0'
    delete open.listen.outbound.sharedSecret
    await expect(startGateway(open, { logger: createLogger('silent') })).rejects.toThrow(/refusing to start an open relay/)
  })
})
