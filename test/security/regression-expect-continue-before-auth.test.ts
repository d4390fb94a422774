// Regression: Node answered `Expect: 100-continue` with 100 Continue before the gateway had looked at the token, so
// any anonymous client was invited to stream its body. Now the 100 is sent only after authentication; a refused
// request gets its final answer without one and the connection is closed (an unsent body is never read as a request).
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EchoUpstream } from '../helpers/echo-upstream.js'
import type { TestGateway } from '../helpers/gateway.js'
import { startStack, type Stack } from '../helpers/stack.js'
import type { MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'

let stack: Stack
let upstream: EchoUpstream
let partner: TestPartner
let meta: MetadataServer
let gw: TestGateway
beforeAll(async () => {
  stack = await startStack()
  ;({ upstream, exchange: partner, meta, gw } = stack)
})
afterAll(() => stack?.close())

/** Send the head, wait for the gateway's first answer; send the body only if that answer is 100 Continue. */
function expectContinue(authorization: string | undefined): Promise<{ first: string; all: string; closed: boolean }> {
  const url = new URL(gw.url)
  return new Promise((resolve, reject) => {
    let all = ''
    let first = ''
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(['POST /api/upload HTTP/1.1', `Host: ${url.host}`, ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]), 'Expect: 100-continue', 'Content-Length: 5', '', ''].join('\r\n'))
    })
    socket.on('data', (chunk: Buffer) => {
      all += chunk.toString('utf8')
      if (first === '') {
        first = all.split('\r\n')[0] ?? ''
        if (first.includes(' 100 ')) socket.write('hello')
      }
      if (/\r\n\r\n[\s\S]*\r\n\r\n/.test(all) && all.includes('"body":"hello"')) socket.end()
    })
    socket.on('end', () => resolve({ first, all, closed: true }))
    socket.on('error', reject)
  })
}

describe('regression: 100 Continue before authentication', () => {
  it('no token: the final 401 comes first, no 100, and the connection is closed', async () => {
    const { first, all, closed } = await expectContinue(undefined)
    expect(first).toBe('HTTP/1.1 401 Unauthorized')
    expect(all.includes('100 Continue')).toBe(false)
    expect(all.toLowerCase().includes('connection: close')).toBe(true)
    expect(closed).toBe(true)
    expect(upstream.seen).toHaveLength(0)
  })

  it('a rogue token: 401 without 100', async () => {
    const rogue = await makeTestPartner()
    const { first } = await expectContinue(`Bearer ${partner.actorToken({}, {}, rogue.cert.privateKey)}`)
    expect(first).toBe('HTTP/1.1 401 Unauthorized')
  })

  it('a valid token: 100 Continue, then the body reaches the backend', async () => {
    upstream.seen.length = 0
    const { first, all } = await expectContinue(`Bearer ${partner.actorToken()}`)
    expect(first).toBe('HTTP/1.1 100 Continue')
    expect(all).toContain('HTTP/1.1 200 OK')
    expect(upstream.seen[0]?.body).toBe('hello')
    expect(upstream.seen[0]?.headers.expect).toBeUndefined()
  })
})
