// Regression: only X-Forwarded-For/-Proto/-Host/-Port and Forwarded were replaced for untrusted clients; X-Real-IP,
// X-Client-IP, True-Client-IP, X-Forwarded-Prefix and X-Forwarded-Server passed through, so a backend reading them
// (nginx-style X-Real-IP allow-lists, Spring's prefix) believed whatever the caller wrote. Now they are kept only
// from a trusted proxy, and their `_` spellings never.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'
import { rawGet } from '../helpers/raw-http.js'

let upstream: EchoUpstream
let open: TestGateway
let behindProxy: TestGateway
beforeAll(async () => {
  upstream = await startEchoUpstream()
  open = await startTestGateway(upstream.url, { publicPaths: ['/public/ping'] })
  behindProxy = await startTestGateway(upstream.url, { publicPaths: ['/public/ping'], trustedProxies: ['127.0.0.0/8'] })
})
afterAll(async () => {
  await open?.close()
  await behindProxy?.close()
  await upstream?.close()
})

const CLAIMS = ['X-Real-IP: 10.0.0.1', 'X-Client-IP: 10.0.0.2', 'True-Client-IP: 10.0.0.3', 'X-Forwarded-Prefix: /admin', 'X-Forwarded-Server: admin.internal',
  // CDN and load-balancer spellings of the same claim (an outside probe found these passing).
  'Client-IP: 10.0.0.4', 'CF-Connecting-IP: 10.0.0.5', 'Fastly-Client-IP: 10.0.0.6', 'X-Cluster-Client-IP: 10.0.0.7', 'X-Original-Forwarded-For: 10.0.0.8']
const MORE = ['client-ip', 'cf-connecting-ip', 'fastly-client-ip', 'x-cluster-client-ip', 'x-original-forwarded-for']
const UNDERSCORED = ['X_Real_IP: 10.0.0.9', 'True_Client_IP: 10.0.0.9']

async function seenHeaders(gateway: TestGateway): Promise<Record<string, unknown>> {
  upstream.seen.length = 0
  const res = await rawGet(gateway.url, '/public/ping', [...CLAIMS, ...UNDERSCORED])
  expect(res.status).toBe(200)
  return upstream.seen[0]?.headers ?? {}
}

describe('regression: client-address headers', () => {
  it('from an untrusted client: none of them reach the backend', async () => {
    const h = await seenHeaders(open)
    expect(['x-real-ip', 'x-client-ip', 'true-client-ip', 'x-forwarded-prefix', 'x-forwarded-server', 'x_real_ip', 'true_client_ip'].map((n) => h[n])).toEqual(
      [undefined, undefined, undefined, undefined, undefined, undefined, undefined],
    )
    expect(MORE.filter((n) => h[n] !== undefined)).toEqual([])
    expect(h['x-forwarded-for']).toBe('127.0.0.1')
  })

  it('from a trusted proxy: kept, except their `_` spellings', async () => {
    const h = await seenHeaders(behindProxy)
    expect([h['x-real-ip'], h['x-client-ip'], h['true-client-ip'], h['x-forwarded-prefix'], h['x-forwarded-server']]).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '/admin', 'admin.internal'])
    expect(MORE.map((n) => h[n])).toEqual(['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8'])
    expect([h['x_real_ip'], h['true_client_ip']]).toEqual([undefined, undefined])
  })
})

// Regression: only a fixed list of X-Forwarded-* names (For, Proto, Host, Port, Prefix, Server) was a client claim,
// so an untrusted caller's X-Forwarded-Ssl: on or X-Forwarded-Scheme: https reached the backend, and Rack, Rails or
// Spring then believed the request came over TLS; likewise X-Forwarded-Client-Cert (Envoy's XFCC, a client
// identity) and the IIS/ARR scheme flags Front-End-Https and X-Url-Scheme. Every X-Forwarded-* name, and those
// two, now survive only from a trusted proxy.
const SENT: Record<string, string> = {
  'x-forwarded-ssl': 'on',
  'x-forwarded-scheme': 'https',
  'x-forwarded-protocol': 'https',
  'x-forwarded-client-cert': 'By=spiffe://admin;URI=spiffe://admin',
  'x-forwarded-uri': '/admin',
  'front-end-https': 'on',
  'x-url-scheme': 'https',
}
const NAMES = Object.keys(SENT)

async function seenFamily(gateway: TestGateway): Promise<Record<string, unknown>> {
  upstream.seen.length = 0
  // Sent in mixed case, as a client would; Node lower-cases names.
  const lines = Object.entries(SENT).map(([name, value]) => `${name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())}: ${value}`)
  const res = await rawGet(gateway.url, '/public/ping', lines)
  expect(res.status).toBe(200)
  return upstream.seen[0]?.headers ?? {}
}

describe('regression: the whole X-Forwarded family and the IIS scheme flags are client claims', () => {
  it('from an untrusted client: none of them reach the backend, and ours are set', async () => {
    const h = await seenFamily(open)
    expect(NAMES.filter((n) => h[n] !== undefined)).toEqual([])
    expect([h['x-forwarded-for'], h['x-forwarded-proto']]).toEqual(['127.0.0.1', 'http'])
  })

  it('from a trusted proxy: every one of them is kept as sent', async () => {
    const h = await seenFamily(behindProxy)
    expect(Object.fromEntries(NAMES.map((n) => [n, h[n]]))).toEqual(SENT)
  })
})
