// Regression: the outbound listener relayed TRACE to partners. A partner that answers TRACE (Apache's default)
// echoes the request it received, our signed Authorization included, so whoever could make the backend send a
// TRACE through the gateway got a bearer token for that partner to use elsewhere for its lifetime: the key never
// lives in the backend, and neither should the tokens. Now TRACE is answered 501 without contacting the partner.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { call, listenWithOutbound, outboundPartner } from '../integration/outbound-call.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', metadataUrl, upstreamUrl)] }))
  // The partner answers TRACE the way RFC 9110 §9.3.8 describes: the request it received, as the body.
  stack.upstream.handler = (req: IncomingMessage, res: ServerResponse) => {
    const echo = `${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers).map(([n, v]) => `${n}: ${String(v)}`).join('\r\n')}\r\n\r\n`
    res.writeHead(200, { 'content-type': 'message/http', 'content-length': Buffer.byteLength(echo) }).end(echo)
  }
})
afterAll(() => stack?.close())

describe('regression: TRACE was relayed and echoed our token back', () => {
  it('TRACE is answered 501, the partner sees nothing and no token reaches the caller; GET still works', async () => {
    stack.upstream.seen.length = 0
    const out = stack.gw.running.outboundUrl ?? ''
    const res = await call(out, '/exchange/x', { method: 'TRACE' })
    expect(res.status).toBe(501)
    expect(res.json).toEqual({ error: 'not_implemented', message: 'not implemented', code: 'GW_NOT_IMPLEMENTED' })
    expect(res.text).not.toMatch(/authorization|Bearer/i)
    expect(stack.upstream.seen).toHaveLength(0)
    const get = await call(out, '/exchange/x')
    expect(get.status).toBe(200)
  })
})
