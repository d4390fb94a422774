// Forward-auth (issue 13): the decision endpoints asked with raw HTTP shaped as nginx, ingress-nginx, Envoy,
// Traefik and Caddy send them, against a real gateway on loopback. Allows carry the identity headers and a bounded
// X-Accel-Expires; denies carry the inbound listener's answers; spoofed or ambiguous descriptions never get an allow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { metadataPartner } from '../helpers/gateway.js'
import { askDecision, bearer, nginxLines } from '../helpers/forward-auth.js'
import type { RawResponse } from '../helpers/raw-http.js'
import { nowSec, PUBLIC_HOST } from '../helpers/tokens.js'

let stack: Stack
let faUrl: string

beforeAll(async () => {
  stack = await startStack(({ metadataUrl }) => ({
    listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, forwardAuth: { host: '127.0.0.1', port: 0 } },
    forwardAuth: { maxCacheSec: 60 },
    partners: [metadataPartner('exchange', metadataUrl, {
      permissions: [{ name: 'read-api', paths: ['/api/**'], right: 'read' }, { name: 'post-items', paths: ['/api/items'], methods: ['POST'] }],
    })],
  }))
  faUrl = stack.gw.running.forwardAuthUrl ?? ''
})
afterAll(async () => stack.close())

const ask = (target: string, lines: string[], method = 'GET'): Promise<RawResponse> => askDecision(faUrl, target, lines, method)
const nginx = nginxLines

describe('/auth/nginx (nginx auth_request, ingress-nginx auth-url)', () => {
  it('allows an app-only token: 200, empty body, identity headers, X-Accel-Expires at most maxCacheSec, no Set-Cookie', async () => {
    const res = await ask('/auth/nginx', [...nginx('GET', '/api/people?x=1'), bearer(stack.exchange.actorToken())])
    expect(res.status).toBe(200)
    expect(res.body).toBe('')
    expect(res.headers['x-s2s-partner']).toBe('exchange')
    expect(res.headers['x-s2s-auth-type']).toBe('app')
    expect(res.headers['x-s2s-trust-level']).toBe('full')
    expect(res.headers['x-s2s-permission']).toBe('read-api')
    expect(res.headers['x-accel-expires']).toBe('60')
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.headers['vary']).toBeUndefined()
  })

  it('allows a user token with the user headers, and caps X-Accel-Expires at the token expiry', async () => {
    const exp = nowSec() + 20
    const token = stack.exchange.userToken({ upn: 'alice@contoso.com', smtp: 'alice@contoso.com', nameid: 'alice-id' }, { exp }, { exp })
    const res = await ask('/auth/nginx', [...nginx('GET', '/api/me'), bearer(token)])
    expect(res.status).toBe(200)
    expect(res.headers['x-s2s-auth-type']).toBe('user')
    expect(res.headers['x-s2s-user-upn']).toBe('alice@contoso.com')
    const seconds = Number(res.headers['x-accel-expires'])
    expect(seconds).toBeLessThanOrEqual(20)
    expect(seconds).toBeGreaterThanOrEqual(0)
  })

  it('takes the absolute X-Original-URL of ingress-nginx, its authority as the host', async () => {
    const res = await ask('/auth/nginx', ['X-Original-Method: GET', `X-Original-URL: https://${PUBLIC_HOST}/api/people`, bearer(stack.exchange.actorToken())])
    expect(res.status).toBe(200)
    // the same host named twice (any case, default port) is no disagreement
    expect((await ask('/auth/nginx', ['X-Original-Method: GET', `X-Original-URL: https://${PUBLIC_HOST}:443/api/people`, `X-Original-Host: GW.contoso.com`, bearer(stack.exchange.actorToken())])).status).toBe(200)
    const other = await ask('/auth/nginx', ['X-Original-Method: GET', 'X-Original-URL: https://evil.example/api/people', bearer(stack.exchange.actorToken())])
    expect(other.status).toBe(403)
  })

  it('a missing token is 401 with the inbound challenge and JSON body, X-Accel-Expires: 0', async () => {
    const res = await ask('/auth/nginx', nginx('GET', '/api/people'))
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="contoso.com",client_id="[0-9a-f-]+",trusted_issuers="/)
    expect(JSON.parse(res.body)).toEqual({ error: 'unauthorized', message: 'bearer token required' })
    expect(res.headers['x-accel-expires']).toBe('0')
    const bad = await ask('/auth/nginx', [...nginx('GET', '/api/people'), bearer(stack.exchange.actorToken({ exp: nowSec() - 4000 }))])
    expect(bad.status).toBe(401)
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('decides on the original method: a permission deny is 403', async () => {
    const token = stack.exchange.actorToken()
    expect((await ask('/auth/nginx', [...nginx('DELETE', '/api/people/1'), bearer(token)])).status).toBe(403)
    expect((await ask('/auth/nginx', [...nginx('POST', '/api/items'), bearer(token)])).headers['x-s2s-permission']).toBe('post-items')
    // The method-override headers the shipped config passes on are judged like inbound.
    expect((await ask('/auth/nginx', [...nginx('POST', '/api/items', ['X-HTTP-Method-Override: DELETE']), bearer(token)])).status).toBe(403)
  })

  it.each([
    ['no X-Original-URI', ['X-Original-Method: GET', `X-Original-Host: ${PUBLIC_HOST}`]],
    ['no X-Original-Method', ['X-Original-URI: /api/people', `X-Original-Host: ${PUBLIC_HOST}`]],
    ['X-Original-URI twice', [...nginx('GET', '/api/people'), 'X-Original-URI: /admin']],
    ['X-Original-Method twice', [...nginx('GET', '/api/people'), 'X-Original-Method: DELETE']],
    ['X-Original-URI and X-Original-URL disagreeing', [...nginx('GET', '/api/people'), `X-Original-URL: https://${PUBLIC_HOST}/admin`]],
    ['a client X-Original-Host beside ingress-nginx\'s X-Original-URL naming another host', ['X-Original-Method: GET', 'X-Original-URL: https://internal.contoso.com/api/people', `X-Original-Host: ${PUBLIC_HOST}`]],
    ['a host that is not a publicHosts entry', ['X-Original-Method: GET', 'X-Original-URI: /api/people', 'X-Original-Host: other.contoso.com']],
    ['/./ in the original URI', nginx('GET', '/api/./people')],
    ['..; in the original URI', nginx('GET', '/api/x/..;/people')],
    ['%2e%2e in the original URI', nginx('GET', '/api/%2e%2e/api/people')],
    ['an encoded slash', nginx('GET', '/api%2fpeople')],
    ['an absolute-form original URI', nginx('GET', 'http://evil/api/people')],
    ['an unknown method', nginx('G(T', '/api/people')],
  ])('%s: 403 with a valid token, never an allow', async (_what, lines) => {
    const res = await ask('/auth/nginx', [...lines, bearer(stack.exchange.actorToken())])
    expect(res.status).toBe(403)
    expect(res.headers['x-s2s-partner']).toBeUndefined()
    expect(res.headers['x-accel-expires']).toBe('0')
  })

  it('logs each decision once with listener forward_auth and the original method and path, never the query or token', async () => {
    const token = stack.exchange.actorToken()
    await ask('/auth/nginx', [...nginx('GET', '/api/logged?secret=q1w2e3'), bearer(token)])
    const lines = stack.gw.logs().filter((l) => l['msg'] === 'request' && l['path'] === '/api/logged')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ listener: 'forward_auth', method: 'GET', status: 200, outcome: 'ok', partner: 'exchange', access: 'allow', permission: 'read-api' })
    expect(stack.gw.logText()).not.toContain('q1w2e3')
    expect(stack.gw.logText()).not.toContain(token.slice(-20))
  })
})

describe('/auth/envoy/<path> (Envoy ext_authz HTTP service, path_prefix /auth/envoy)', () => {
  it('decides on its own method, the path after the prefix and its Host', async () => {
    const token = stack.exchange.actorToken()
    const ok = await ask('/auth/envoy/api/people?q=1', [`Host: ${PUBLIC_HOST}`, bearer(token)])
    expect(ok.status).toBe(200)
    expect(ok.headers['x-s2s-partner']).toBe('exchange')
    expect((await ask('/auth/envoy/api/people', [`Host: ${PUBLIC_HOST}`, bearer(token)], 'DELETE')).status).toBe(403)
    expect((await ask('/auth/envoy/api/people', ['Host: elsewhere.example', bearer(token)])).status).toBe(403)
    expect((await ask('/auth/envoy/api/../admin', [`Host: ${PUBLIC_HOST}`, bearer(token)])).status).toBe(403)
    const none = await ask('/auth/envoy/api/people', [`Host: ${PUBLIC_HOST}`])
    expect(none.status).toBe(401)
    expect(none.headers['www-authenticate']).toMatch(/^Bearer realm=/)
  })
})

describe('/auth/forward (Traefik forwardAuth, Caddy forward_auth)', () => {
  const traefik = (method: string, uri: string): string[] => [`X-Forwarded-Method: ${method}`, 'X-Forwarded-Proto: https', `X-Forwarded-Host: ${PUBLIC_HOST}`, `X-Forwarded-Uri: ${uri}`, 'X-Forwarded-For: 192.0.2.7']

  it('decides on X-Forwarded-Method, -Uri and -Host', async () => {
    const token = stack.exchange.actorToken()
    const ok = await ask('/auth/forward', [...traefik('GET', '/api/people'), bearer(token)])
    expect(ok.status).toBe(200)
    expect(ok.headers['x-s2s-permission']).toBe('read-api')
    expect((await ask('/auth/forward', [...traefik('PUT', '/api/people'), bearer(token)])).status).toBe(403)
    expect((await ask('/auth/forward', [...traefik('GET', '/api/%2e/people'), bearer(token)])).status).toBe(403)
    // Caddy sends X-Forwarded-Method and -Uri; the host comes from its X-Forwarded-Host.
    expect((await ask('/auth/forward', ['X-Forwarded-Method: GET', 'X-Forwarded-Uri: /api/people', `X-Forwarded-Host: ${PUBLIC_HOST}`, bearer(token)])).status).toBe(200)
  })

  it('a WebSocket handshake Traefik describes without Upgrade (hop-by-hop, stripped) still needs the write right', async () => {
    const token = stack.exchange.actorToken()
    const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='
    // read-api grants GET only: a handshake is also checked as UPGRADE, which needs write.
    expect((await ask('/auth/forward', [...traefik('GET', '/api/people'), key, bearer(token)])).status).toBe(403)
    expect((await ask('/auth/forward', [...traefik('GET', '/api/people'), 'Upgrade: websocket', bearer(token)])).status).toBe(403)
    expect((await ask('/auth/forward', [...traefik('GET', '/api/people'), bearer(token)])).status).toBe(200)
  })

  it('a second X-Forwarded-Uri (a client copy the proxy appended to) is a 403', async () => {
    const res = await ask('/auth/forward', [...traefik('GET', '/api/people'), 'X-Forwarded-Uri: /admin', bearer(stack.exchange.actorToken())])
    expect(res.status).toBe(403)
    expect(res.headers['x-s2s-partner']).toBeUndefined()
  })

  it('without an X-Forwarded-Uri there is no decision to allow', async () => {
    const res = await ask('/auth/forward', ['X-Forwarded-Method: GET', `X-Forwarded-Host: ${PUBLIC_HOST}`, bearer(stack.exchange.actorToken())])
    expect(res.status).toBe(403)
  })
})

describe('the listener', () => {
  it('answers 404 outside the three endpoints', async () => {
    expect((await ask('/auth/other', nginx('GET', '/api/people'))).status).toBe(404)
    expect((await ask('/auth/envoy', [`Host: ${PUBLIC_HOST}`])).status).toBe(404)
  })

  it('counts decisions in s2s_gateway_requests_total with listener="forward_auth"', async () => {
    await ask('/auth/nginx', [...nginx('GET', '/api/people'), bearer(stack.exchange.actorToken())])
    const text = await (await fetch(`${stack.gw.adminUrl}/metrics`)).text()
    expect(text).toMatch(/s2s_gateway_requests_total\{listener="forward_auth",partner="exchange",auth_type="app",outcome="ok"\} [1-9]/)
    expect(text).toMatch(/s2s_gateway_request_duration_seconds_count\{listener="forward_auth",outcome="ok"\} [1-9]/)
  })
})
