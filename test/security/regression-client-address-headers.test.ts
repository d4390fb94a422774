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

const CLAIMS = ['X-Real-IP: 10.0.0.1', 'X-Client-IP: 10.0.0.2', 'True-Client-IP: 10.0.0.3', 'X-Forwarded-Prefix: /admin', 'X-Forwarded-Server: admin.internal']
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
    expect(h['x-forwarded-for']).toBe('127.0.0.1')
  })

  it('from a trusted proxy: kept, except their `_` spellings', async () => {
    const h = await seenHeaders(behindProxy)
    expect([h['x-real-ip'], h['x-client-ip'], h['true-client-ip'], h['x-forwarded-prefix'], h['x-forwarded-server']]).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '/admin', 'admin.internal'])
    expect([h['x_real_ip'], h['true_client_ip']]).toEqual([undefined, undefined])
  })
})
