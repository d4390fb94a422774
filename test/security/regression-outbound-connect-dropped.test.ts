// Regression: CONNECT to the outbound listener got no answer at all. Nothing listened for 'connect', so Node closed
// the socket: a caller could not tell a refusal from a crash, and nothing was logged. (The inbound listener had the
// same fault, fixed in regression-connect-dropped.) Now: our 400, a log line, the connection closed; nothing is
// tunnelled and no partner is contacted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawHttp } from '../helpers/raw-http.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { listenWithOutbound, outboundPartner } from '../integration/outbound-call.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack(({ upstreamUrl, metadataUrl }) => ({ listen: listenWithOutbound(), partners: [outboundPartner('exchange', metadataUrl, upstreamUrl)] }))
})
afterAll(() => stack?.close())

describe('regression: CONNECT to the outbound listener dropped without an answer', () => {
  it.each([
    ['another host', () => 'evil.example:443'],
    ['the configured partner\'s own address', () => new URL(stack.upstream.url).host],
  ])('CONNECT to %s is answered 400 and logged, and nothing reaches the partner', async (_label, authority) => {
    stack.upstream.seen.length = 0
    const res = await rawHttp(stack.gw.running.outboundUrl ?? '', `CONNECT ${authority()} HTTP/1.1\r\nHost: ${authority()}\r\n\r\nGET /exchange/x HTTP/1.1\r\nHost: x\r\n\r\n`)
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toEqual({ error: 'bad_request', message: 'bad request' })
    expect(res.headers['connection']).toBe('close')
    expect(stack.upstream.seen).toHaveLength(0)
    expect(stack.gw.logs().some((l) => l['component'] === 'outbound' && l['method'] === 'CONNECT' && l['status'] === 400)).toBe(true)
  })
})

describe('regression: the outbound access line named its component twice', () => {
  it('a completed outbound call is logged with "component" once (JSON.parse would hide a duplicate key)', async () => {
    const res = await fetch(`${stack.gw.running.outboundUrl ?? ''}/exchange/x`)
    expect(res.status).toBe(200)
    const lines = stack.gw.logText().split('\n').filter((l) => l.includes('"component":"outbound"') && l.includes('"method":"GET"') && l.includes('"status":200'))
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.filter((l) => l.split('"component"').length > 2)).toEqual([])
  })
})
