// Regression: a partner's WWW-Authenticate challenge chose the principal of the audience we mint for. Its client_id
// won over the partner's registered identity (metadata document, applicationId), so a partner answering 401 with
// another service's client_id (or one carrying "/host@realm") got our signed token for that audience on the retry;
// through an authorization server, the gateway asked the server for that resource. Now the registered principal
// stays: a challenge only confirms it, and names it only when nothing registered does.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { EXCHANGE_ID, REALM, SERVICE_ID } from '../helpers/tokens.js'
import { call, listenWithOutbound, outboundPartner, segment } from '../integration/outbound-call.js'

const SHAREPOINT_ID = '00000003-0000-0ff1-ce00-000000000000'
let stack: Stack
beforeAll(async () => {
  // The partner is the stack's echo server, registered by the stack's (Exchange) metadata document.
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', metadataUrl, upstreamUrl)] }))
})
afterAll(() => stack?.close())
beforeEach(() => {
  stack.gw.reload({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', stack.meta.url, stack.upstream.url)] }) // no challenge learnt yet
  stack.upstream.seen.length = 0
})

/** 401 with `challenge` to the first call and the probe, 200 to the retry; the audience of the retry's token. */
async function audienceAfter(challenge: string): Promise<string> {
  let calls = 0
  stack.upstream.handler = (req: IncomingMessage, res: ServerResponse) => {
    const probe = /^Bearer\s*$/.test(req.headers.authorization ?? '')
    if (probe || calls++ === 0) return void res.writeHead(401, { 'www-authenticate': challenge, 'content-length': '0' }).end()
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

describe('regression: the challenge client_id chose the principal of our token', () => {
  const host = () => new URL(stack.upstream.url).host
  it.each([
    ['another service\'s client_id', SHAREPOINT_ID],
    ['our own service id', SERVICE_ID],
    ['a client_id carrying a second audience', `${SHAREPOINT_ID}/sharepoint.contoso.com@${REALM}`],
  ])('a challenge naming %s: aud keeps the registered principal', async (_label, clientId) => {
    expect(await audienceAfter(`Bearer realm="${REALM}",client_id="${clientId}"`)).toBe(`${EXCHANGE_ID}/${host()}@${REALM}`)
    expect(stack.gw.logs().some((l) => String(l['msg']).startsWith('partner challenge names another client_id'))).toBe(true)
  })

  it('a challenge confirming the registered principal (in upper case) changes nothing', async () => {
    expect(await audienceAfter(`Bearer realm="${REALM}",client_id="${EXCHANGE_ID.toUpperCase()}"`)).toBe(`${EXCHANGE_ID}/${host()}@${REALM}`)
  })
})
