// Unit: who may POST /reload: loopback callers, or anyone presenting admin.reloadToken (constant-time compare);
// a wrong token is refused even from loopback.
import { describe, expect, it } from 'vitest'
import { checkReloadAccess, isLoopbackAddress } from '../../../src/admin/reload-access.js'

const TOKEN = 'a-reload-token-of-32-characters!'

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true], ['127.8.9.10', true], ['::1', true], ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false], ['::ffff:10.0.0.1', false], ['fd00::2', false], ['1127.0.0.1', false], [undefined, false],
  ])('%s -> %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected)
  })
})

describe('checkReloadAccess', () => {
  it.each([
    // remote address, Authorization header, configured token, answer
    ['127.0.0.1', undefined, undefined, 'allowed'],
    ['10.1.2.3', undefined, undefined, 'forbidden'],
    ['10.1.2.3', `Bearer ${TOKEN}`, undefined, 'forbidden'], // no token configured: nothing to present
    ['10.1.2.3', undefined, TOKEN, 'unauthorized'],
    ['10.1.2.3', `Bearer ${TOKEN}`, TOKEN, 'allowed'],
    ['10.1.2.3', `bearer ${TOKEN}`, TOKEN, 'allowed'],
    ['10.1.2.3', `Bearer ${TOKEN}x`, TOKEN, 'unauthorized'],
    ['10.1.2.3', `Bearer ${TOKEN.slice(1)}`, TOKEN, 'unauthorized'],
    ['10.1.2.3', `Basic ${TOKEN}`, TOKEN, 'unauthorized'],
    ['10.1.2.3', `Bearer ${TOKEN} extra`, TOKEN, 'unauthorized'],
    ['127.0.0.1', undefined, TOKEN, 'allowed'],
    ['127.0.0.1', 'Bearer wrong-token', TOKEN, 'unauthorized'],
  ] as const)('%s with %s (token %s) -> %s', (address, authorization, token, expected) => {
    expect(checkReloadAccess(address, authorization, token)).toBe(expected)
  })
})
