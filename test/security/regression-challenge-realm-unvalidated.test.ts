// Regression: the realm (and client_id) of a partner's WWW-Authenticate challenge went into our token's aud as sent.
// A quoted-string may hold anything but control characters, so a partner could put "@", "/", spaces, tabs, commas,
// quotes or kilobytes into the aud we sign (`<principal>/<host>@contoso.com<TAB>evil`, `...@evil.example@contoso.com`),
// a second audience for receivers that split aud differently. Now a challenge value that could not be one part of
// aud (docs/PROTOCOL.md §7.8, the rules config applies to realms) is ignored, as if the challenge had not named it; a
// well-formed realm still moves the realm (realm discovery).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { EXCHANGE_ID, REALM } from '../helpers/tokens.js'
import { call, listenWithOutbound, outboundPartner, segment } from '../integration/outbound-call.js'

let stack: Stack
const config = () => ({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', stack.meta.url, stack.upstream.url)] })
beforeAll(async () => {
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', metadataUrl, upstreamUrl)] }))
})
afterAll(() => stack?.close())
beforeEach(() => {
  stack.gw.reload(config()) // no challenge learnt yet
  stack.upstream.seen.length = 0
})

/** 401 with `challenge` (raw bytes) to the first call and the probe, 200 to the retry; the retry token's audience. */
async function audienceAfter(challenge: string): Promise<string> {
  let calls = 0
  stack.upstream.handler = (req: IncomingMessage, res: ServerResponse) => {
    const probe = /^Bearer\s*$/.test(req.headers.authorization ?? '')
    if (probe || calls++ === 0) return void res.socket?.end(`HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: ${challenge}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
    res.writeHead(200, { 'content-length': '2' }).end('ok')
  }
  try {
    const res = await call(stack.gw.running.outboundUrl ?? '', '/exchange/x', { method: 'POST', body: 'replayable' })
    expect(res.status).toBe(200)
  } finally {
    stack.upstream.handler = undefined
  }
  const retry = stack.upstream.seen.filter((s) => !/^Bearer\s*$/.test(String(s.headers.authorization))).at(-1)
  return String(segment(String(retry?.headers.authorization).slice('Bearer '.length), 1)['aud'])
}

describe('regression: the challenge realm went into aud unvalidated', () => {
  const aud = (realm: string) => `${EXCHANGE_ID}/${new URL(stack.upstream.url).host}@${realm}`
  it.each([
    ['a second realm after "@"', 'evil.example@contoso.com'],
    ['a "/" and a host', 'contoso.com/evil.example'],
    ['a tab and spaces', 'contoso.com\tevil example'],
    ['escaped quotes and commas', 'a\\",client_id=\\"x'],
    ['a backslash', 'contoso\\\\com'],
    ['8 KiB of text', `${'r'.repeat(8192)}.com`],
  ])('a realm with %s is ignored: aud keeps the registered realm', async (_label, realm) => {
    expect(await audienceAfter(`Bearer realm="${realm}",client_id="${EXCHANGE_ID}"`)).toBe(aud(REALM))
  })

  it('a well-formed realm still moves the realm (realm discovery)', async () => {
    expect(await audienceAfter(`Bearer realm="Fabrikam.com",client_id="${EXCHANGE_ID}"`)).toBe(aud('fabrikam.com'))
  })
})
