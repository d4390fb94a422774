// Regression: toward partners, the outbound listener removed X-Forwarded-* from a fixed list of four names (-For,
// -Proto, -Host, -Port), so X-Forwarded-Prefix, -Server, -Ssl and the underscore spellings (X_Forwarded_For, which
// CGI-style servers read as HTTP_X_FORWARDED_FOR) reached the partner, although the README promises that the
// backend's X-Forwarded-* are removed: a partner trusting the gateway as a proxy could take them for ours. Now every
// X-Forwarded-* name, in any spelling, is removed, as on the inbound side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { call, listenWithOutbound, outboundPartner } from '../integration/outbound-call.js'

let stack: Stack
beforeAll(async () => {
  // The partner is the stack's echo server, which records every header field it receives.
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', metadataUrl, upstreamUrl)] }))
})
afterAll(() => stack?.close())

describe('regression: only four X-Forwarded-* names were removed toward partners', () => {
  it('no X-Forwarded-* field in any spelling reaches the partner; other headers still do', async () => {
    stack.upstream.seen.length = 0
    const res = await call(stack.gw.running.outboundUrl ?? '', '/exchange/x', {
      headers: {
        'x-forwarded-prefix': '/admin', 'x-forwarded-server': 'admin.internal', 'x-forwarded-ssl': 'on', 'x-forwarded-for': '10.0.0.1',
        x_forwarded_for: '10.0.0.1', X_FORWARDED_HOST: 'admin.internal', 'x_forwarded-proto': 'https', forwarded: 'for=10.0.0.1', 'x-forwarded': 'kept: not an X-Forwarded-* name', 'x-kept': 'yes',
      },
    })
    expect(res.status).toBe(200)
    const raw = stack.upstream.seen[0]?.rawHeaders ?? []
    const names = raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())
    expect(names.filter((n) => /^x[-_]forwarded[-_]|^forwarded$/.test(n))).toEqual([])
    expect(names).toEqual(expect.arrayContaining(['x-kept', 'x-forwarded']))
  })
})
