// Unit: address rules (net/address.ts): the one loopback rule, and address lists (trustedProxies).
import { describe, expect, it } from 'vitest'
import { createAddressList, isListedAddress, isLoopbackHost } from '../../../src/net/index.js'

// Decision (issue 16): loopback is 127.0.0.0/8, ::1 in any spelling, IPv4-mapped 127.0.0.0/8 in any spelling, each
// bracketed or not, and the name localhost (any case, trailing dot). Names under .localhost are not: whether they
// resolve to loopback depends on the host's resolver, and allowHttp must not hinge on that.
describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['localhost.', true],
    ['[::ffff:127.0.0.1]', true],
    ['::ffff:10.0.0.1', false],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['0.0.0.0', false],
    ['[::ffff:7f00:1]', true],
    ['[0:0:0:0:0:ffff:127.0.0.2]', true],
    ['[::2]', false],
    ['Localhost.', true],
    ['::', false],
    ['localhost.contoso.com', false],
    ['evil.localhost', false],
    ['127.0.0.1.nip.io', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

describe('isListedAddress', () => {
  const list = createAddressList(['127.0.0.1/32', '::1/128', '10.1.0.0/16', 'fd00::/8', '192.0.2.7'])

  it.each([
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['::1', true],
    ['10.1.200.3', true],
    ['10.2.0.1', false],
    ['fd12::1', true],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    // How a dual-stack socket reports an IPv4 peer.
    ['::ffff:10.1.2.3', true],
    ['::ffff:127.0.0.1', true],
    ['[::1]', true],
    [undefined, false],
    ['', false],
    ['proxy.internal', false],
  ])('%s -> %s', (address, expected) => {
    expect(isListedAddress(list, address)).toBe(expected)
  })

  // Issue 16: the trusted-proxy check stripped a "::ffff:" prefix and checked the rest as IPv4, so the hex spelling
  // of an IPv4-mapped address (::ffff:7f00:1, which isLoopbackHost counted as loopback) was never trusted.
  it('matches the hex spelling of an IPv4-mapped address like the dotted one, as the loopback rule does', () => {
    expect(isLoopbackHost('::ffff:7f00:1')).toBe(true)
    expect(isListedAddress(list, '::ffff:7f00:1')).toBe(true)
    expect(isListedAddress(list, '::ffff:a01:203')).toBe(true) // 10.1.2.3
    expect(isListedAddress(list, '::ffff:a02:1')).toBe(false) // 10.2.0.1
  })

  it('matches nothing with an empty list', () => {
    expect(isListedAddress(createAddressList([]), '127.0.0.1')).toBe(false)
  })
})
