// Unit: the X-Forwarded-* rewrite of proxy/forwarded.ts: which client copies survive, and the `_` spellings that
// never do (CGI-style backends read X_Forwarded_For as HTTP_X_FORWARDED_FOR, like the real one).
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createAddressList } from '../../../src/net/index.js'
import { setForwardedHeaders } from '../../../src/identity/forwarded.js'

function request(remoteAddress: string, headers: Record<string, string>): IncomingMessage {
  return { headers: { host: 'gw.contoso.com', ...headers }, socket: { remoteAddress } } as unknown as IncomingMessage
}

const trusted = createAddressList(['10.0.0.1'])
const spoofs = { x_forwarded_for: '1.1.1.1', x_forwarded_ssl: 'on', 'x_forwarded-host': 'admin.internal', x_real_ip: '1.1.1.1', x_original_url: '/admin' }

describe('setForwardedHeaders', () => {
  it.each([['an untrusted client', '192.0.2.1'], ['a trusted proxy', '10.0.0.1']])('drops every `_` spelling from %s', (_label, address) => {
    const req = request(address, { ...spoofs, accept: '*/*' })
    setForwardedHeaders(req, trusted, true)
    expect(Object.keys(req.headers).filter((name) => name.includes('_'))).toEqual([])
    expect(req.headers.accept).toBe('*/*')
  })

  it('keeps a trusted proxy\'s X-Forwarded-For and appends the peer; replaces an untrusted client\'s', () => {
    const fromProxy = request('10.0.0.1', { 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https' })
    setForwardedHeaders(fromProxy, trusted, true)
    expect(fromProxy.headers).toMatchObject({ 'x-forwarded-for': '203.0.113.5, 10.0.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'gw.contoso.com' })
    const fromClient = request('192.0.2.1', { 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https' })
    setForwardedHeaders(fromClient, trusted, true)
    expect(fromClient.headers).toMatchObject({ 'x-forwarded-for': '192.0.2.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'gw.contoso.com' })
  })

  it('trusts a proxy reported as an IPv4-mapped address', () => {
    const req = request('::ffff:10.0.0.1', { 'x-forwarded-for': '203.0.113.5' })
    setForwardedHeaders(req, trusted, true)
    expect(req.headers['x-forwarded-for']).toBe('203.0.113.5, ::ffff:10.0.0.1')
  })
})
