// Integration: what the backend receives. Spoofed identity headers in every spelling are replaced by the
// verified ones; Connection-nominated headers are dropped both ways; X-Forwarded-* is the gateway's own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type TestGateway } from '../helpers/gateway.js'
import type { MetadataServer } from '../helpers/metadata-server.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { rawGet } from '../helpers/raw-http.js'
import type { TestPartner } from '../helpers/tokens.js'

let stack: Stack
let upstream: EchoUpstream
let exchange: TestPartner
let meta: MetadataServer
let gw: TestGateway

beforeAll(async () => {
  stack = await startStack(() => ({ publicPaths: ['/public/ping'] }))
  ;({ upstream, exchange, meta, gw } = stack)
})
afterAll(() => stack?.close())
beforeEach(() => {
  upstream.seen.length = 0
})

/** Every x-s2s-* or x_s2s_* name the backend saw, lowercased with `_` as `-`, with its values. */
function identityHeadersSeen(rawHeaders: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase().replace(/_/g, '-')
    if (name.startsWith('x-s2s-')) out.push([name, rawHeaders[i + 1] ?? ''])
  }
  return out
}

describe('spoofed identity headers', () => {
  const spoofs = [
    'x-s2s-user-upn: mallory@contoso.com',
    'X-S2S-USER-UPN: mallory@contoso.com',
    'X-S2s-User-Upn: mallory@contoso.com',
    'X_S2S_USER_UPN: mallory@contoso.com',
    'x_s2s-user_upn: mallory@contoso.com',
    'x-s2s-partner: hr-addin',
    'X_S2S_Partner: hr-addin',
    'x-s2s-trust-level: full',
    'x-s2s-user-smtp: mallory@contoso.com',
    'x-s2s-user-smtp: second@contoso.com',
    'x-s2s-anything-new: 1',
  ]

  it('are replaced by the verified identity in every casing, underscore and repetition', async () => {
    const token = exchange.userToken({ upn: 'alice@contoso.com' })
    const res = await rawGet(gw.url, '/api/items', [`Authorization: Bearer ${token}`, ...spoofs])
    expect(res.status).toBe(200)
    const seen = identityHeadersSeen(upstream.seen[0]?.rawHeaders ?? [])
    expect(seen.sort()).toEqual(
      [
        ['x-s2s-auth-type', 'user'],
        ['x-s2s-partner', 'exchange'],
        ['x-s2s-partner-id', exchange.id],
        ['x-s2s-realm', 'contoso.com'],
        ['x-s2s-trust-level', 'full'],
        ['x-s2s-user-upn', 'alice@contoso.com'],
      ].sort(),
    )
  })

  it('nominating our headers in Connection cannot remove the verified ones', async () => {
    const token = exchange.actorToken()
    const res = await rawGet(gw.url, '/api/items', [`Authorization: Bearer ${token}`, 'Connection: x-s2s-partner, X_S2S_Auth_Type, x-s2s-realm'])
    expect(res.status).toBe(200)
    const h = upstream.seen[0]?.headers ?? {}
    expect(h['x-s2s-partner']).toBe('exchange')
    expect(h['x-s2s-auth-type']).toBe('app')
    expect(h['x-s2s-realm']).toBe('contoso.com')
  })

  it('are stripped on public paths too, where no identity is set', async () => {
    const res = await rawGet(gw.url, '/public/ping', ['x-s2s-partner: exchange', 'X_S2S_User_Upn: mallory@contoso.com'])
    expect(res.status).toBe(200)
    expect(identityHeadersSeen(upstream.seen[0]?.rawHeaders ?? [])).toEqual([])
  })
})

describe('hop-by-hop and Connection-nominated headers (http-proxy #446)', () => {
  it('request side: nominated headers and hop-by-hop headers do not reach the backend', async () => {
    const token = exchange.actorToken()
    await rawGet(gw.url, '/api/items', [`Authorization: Bearer ${token}`, 'Connection: keep-alive, X-Secret-Hop', 'X-Secret-Hop: 1', 'Keep-Alive: timeout=5', 'Proxy-Authorization: Basic Zm9vOmJhcg==', 'X-Kept: yes'])
    const h = upstream.seen[0]?.headers ?? {}
    expect(h['x-secret-hop']).toBeUndefined()
    expect(h['proxy-authorization']).toBeUndefined()
    expect(h['x-kept']).toBe('yes')
  })

  it('response side: headers the backend nominates in Connection do not reach the client', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { connection: 'x-upstream-internal', 'x-upstream-internal': 'secret', 'x-public': 'ok', 'content-length': '2' })
      res.end('ok')
    }
    try {
      const res = await fetch(`${gw.url}/api/items`, { headers: { authorization: `Bearer ${exchange.actorToken()}` } })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-upstream-internal')).toBeNull()
      expect(res.headers.get('x-public')).toBe('ok')
    } finally {
      upstream.handler = undefined
    }
  })
})

describe('Authorization and X-Forwarded-*', () => {
  it('Authorization is not forwarded by default', async () => {
    await fetch(`${gw.url}/a`, { headers: { authorization: `Bearer ${exchange.actorToken()}` } })
    expect(upstream.seen[0]?.headers.authorization).toBeUndefined()
  })

  it('client X-Forwarded-* copies are replaced when the client is not a trusted proxy', async () => {
    await rawGet(gw.url, '/a', [`Authorization: Bearer ${exchange.actorToken()}`, 'X-Forwarded-For: 10.9.9.9', 'X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: https', 'X_Forwarded_For: 10.8.8.8'])
    const h = upstream.seen[0]?.headers ?? {}
    expect(h['x-forwarded-for']).toBe('127.0.0.1')
    expect(h['x-forwarded-host']).toBe(new URL(gw.url).host)
    expect(h['x-forwarded-proto']).toBe('http')
    expect(h['x_forwarded_for']).toBeUndefined()
  })

  it('a trusted proxy keeps its X-Forwarded-For chain (ours appended) and Authorization may be forwarded', async () => {
    const other = await startTestGateway(upstream.url, {
      trustedProxies: ['127.0.0.0/8'],
      upstream: { url: upstream.url, forwardAuthorization: true },
      partners: [metadataPartner('exchange', meta.url)],
    })
    try {
      const token = exchange.actorToken()
      await rawGet(other.url, '/a', [`Authorization: Bearer ${token}`, 'X-Forwarded-For: 203.0.113.7', 'X-Forwarded-Proto: https'])
      const h = upstream.seen[0]?.headers ?? {}
      expect(h['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1')
      expect(h['x-forwarded-proto']).toBe('https')
      expect(h.authorization).toBe(`Bearer ${token}`)
    } finally {
      await other.close()
    }
  })
})
