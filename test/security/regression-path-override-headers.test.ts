// Regression: X-Original-URL and X-Rewrite-URL reached the backend. IIS URL Rewrite, Symfony and Laravel route by
// them instead of the request line, so a public path plus `X-Original-URL: /admin` reached /admin without a token.
// The path forwarded must be the path checked: they are now dropped from every request, trusted proxy or not.
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

const OVERRIDES = ['X-Original-URL: /admin', 'X-Rewrite-URL: /admin', 'X_Original_URL: /admin', 'x-rewrite_url: /admin']

describe('regression: path-override headers', () => {
  it.each([
    ['an untrusted client', () => open],
    ['a trusted proxy', () => behindProxy],
  ])('are dropped on a public path from %s', async (_label, gateway) => {
    upstream.seen.length = 0
    const res = await rawGet(gateway().url, '/public/ping', OVERRIDES)
    expect(res.status).toBe(200)
    expect(upstream.seen).toHaveLength(1)
    const names = Object.keys(upstream.seen[0]?.headers ?? {})
    expect(names.filter((n) => /original|rewrite/.test(n))).toEqual([])
    expect(upstream.seen[0]?.url).toBe('/public/ping')
  })
})
