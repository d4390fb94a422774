// Regression: a partner's Location header was relayed to the backend unchanged. The backend resolves a relative
// Location against the URL it called, the outbound listener's `/<partner>/...`, where `/other/steal` (or
// `../other/steal`) names ANOTHER configured partner: a backend HTTP client that follows redirects (fetch does by
// default, keeping method, body and same-origin headers on a 307) then called that partner through the listener,
// signed with our certificate: a partner could steer our calls to any other partner. Now a Location under the
// partner's own base URL is mapped to `/<partner>/...` on the listener, and any other one is made absolute, so
// following it goes straight to that URL, without our token.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { call, listenWithOutbound, outboundPartner } from '../integration/outbound-call.js'

let stack: Stack
let out: string
beforeAll(async () => {
  // Both partners are the stack's echo server, each under its own base path, so the path shows which one was called.
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({
    listen: listenWithOutbound(),
    partners: [outboundPartner('exchange', metadataUrl, `${upstreamUrl}/exchange-base`), outboundPartner('other', metadataUrl, `${upstreamUrl}/other-base`)],
  }))
  out = stack.gw.running.outboundUrl ?? ''
})
afterAll(() => stack?.close())
beforeEach(() => {
  stack.upstream.seen.length = 0
})

/** "exchange" answers /exchange-base/start with a 307 to `location`; everything else with its echo. */
function redirectFromStart(location: string): void {
  stack.upstream.handler = (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (req.url === '/exchange-base/start') return void res.writeHead(307, { location, 'content-length': '0' }).end()
    const text = JSON.stringify({ url: req.url, body })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text)
  }
}

describe('regression: a relative Location led a following backend to another partner, with our token', () => {
  it.each([
    ['an absolute path naming the other partner', '/other/steal'],
    ['a dot-dot path toward the other partner', '../other/steal'],
  ])('%s: the other partner is never called through the listener', async (_label, location) => {
    redirectFromStart(location)
    const relayed = await call(out, '/exchange/start', { method: 'POST', body: 'data' })
    expect(relayed.status).toBe(307)
    expect(relayed.headers.location).toBe(`${stack.upstream.url}/other/steal`) // absolute: outside exchange's base URL
    const followed = await fetch(`${out}/exchange/start`, { method: 'POST', body: 'data', redirect: 'follow' })
    expect(followed.status).toBe(200)
    await followed.arrayBuffer()
    expect(stack.upstream.seen.map((s) => s.url)).not.toContain('/other-base/steal')
    const landed = stack.upstream.seen.filter((s) => s.url === '/other/steal')
    expect(landed.length).toBeGreaterThan(0)
    for (const s of landed) expect(s.headers.authorization).toBeUndefined() // followed straight there: no token of ours
    stack.upstream.handler = undefined
  })

  it('a relative Location is resolved against the path requested of the partner, then mapped', async () => {
    redirectFromStart('next?x=1') // from /exchange-base/start: /exchange-base/next?x=1
    const relayed = await call(out, '/exchange/start')
    expect([relayed.status, relayed.headers.location]).toEqual([307, '/exchange/next?x=1'])
    stack.upstream.handler = undefined
  })

  it('a redirect within the partner\'s own base URL is mapped onto the listener and followed through it', async () => {
    redirectFromStart(`${stack.upstream.url}/exchange-base/next?x=1`)
    const relayed = await call(out, '/exchange/start')
    expect([relayed.status, relayed.headers.location]).toEqual([307, '/exchange/next?x=1'])
    const followed = await fetch(`${out}/exchange/start`, { method: 'POST', body: 'data', redirect: 'follow' })
    expect(followed.status).toBe(200)
    expect(await followed.json()).toEqual({ url: '/exchange-base/next?x=1', body: 'data' })
    expect(stack.upstream.seen.at(-1)?.headers.authorization).toMatch(/^Bearer ey/)
    stack.upstream.handler = undefined
  })
})
