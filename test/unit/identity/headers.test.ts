import { describe, expect, it } from 'vitest'
import { applyIdentityHeaders, encodeHeaderValue, isForwardedName, isIdentityHeaderName, stripIdentityHeaders } from '../../../src/identity/index.js'
import type { Identity } from '../../../src/identity/types.js'

describe('isIdentityHeaderName', () => {
  it.each([
    ['x-s2s-partner', true],
    ['x_s2s_partner', true],
    ['x-s2s_user-upn', true],
    ['X-S2S-PARTNER', true],
    ['x-s2s-', true],
    ['x-s2', false],
    ['x-s2sx-partner', false],
    ['xx-s2s-partner', false],
    ['x-forwarded-for', false],
  ])('%s -> %s', (name, expected) => {
    expect(isIdentityHeaderName(name)).toBe(expected)
  })
})

describe('isForwardedName', () => {
  it.each([
    ['x-forwarded-for', true],
    ['x-forwarded-prefix', true],
    ['x_forwarded_for', true],
    ['x_forwarded-proto', true],
    ['x-forwarded_ssl', true],
    // Issue 16: inbound removal counted a bare prefix as X-Forwarded-*, the outbound copy (length > 12) did not.
    ['x_forwarded_', true],
    ['x-forwarded-', true],
    ['x-forwarded', false],
    ['forwarded', false],
    ['x-forwardedfor', false],
    ['xx-forwarded-for', false],
  ])('%s -> %s', (name, expected) => {
    expect(isForwardedName(name)).toBe(expected)
  })
})

describe('stripIdentityHeaders', () => {
  // The `_` spellings of X-Forwarded-* are proxy/forwarded.ts's to drop (test/unit/proxy/forwarded.test.ts).
  it('removes identity headers in any spelling, nothing else', () => {
    const headers: Record<string, string> = { 'x-s2s-partner': 'a', x_s2s_user_upn: 'b', x_forwarded_for: '1.2.3.4', 'x-forwarded-for': '5.6.7.8', accept: '*/*' }
    stripIdentityHeaders(headers)
    expect(headers).toEqual({ x_forwarded_for: '1.2.3.4', 'x-forwarded-for': '5.6.7.8', accept: '*/*' })
  })
})

describe('encodeHeaderValue', () => {
  it.each([
    ['alice@contoso.com', 'alice@contoso.com'],
    ['zoë@contoso.com', 'zo%C3%AB%40contoso.com'],
    ['100%', '100%25'],
    ['名前', '%E5%90%8D%E5%89%8D'],
  ])('%s -> %s', (value, encoded) => {
    expect(encodeHeaderValue(value)).toBe(encoded)
  })
})

describe('applyIdentityHeaders', () => {
  const base: Identity = { partner: 'exchange', partnerId: 'p', realm: 'contoso.com', trustLevel: 'full', authType: 'app', x5t: 'x', notBefore: 0, expiresAt: 1 }
  it('sets app identity only', () => {
    const headers: Record<string, string> = {}
    applyIdentityHeaders(headers, base)
    expect(headers).toEqual({ 'x-s2s-partner': 'exchange', 'x-s2s-partner-id': 'p', 'x-s2s-realm': 'contoso.com', 'x-s2s-trust-level': 'full', 'x-s2s-auth-type': 'app' })
  })
  it('sets only the user claims present', () => {
    const headers: Record<string, string> = {}
    applyIdentityHeaders(headers, { ...base, authType: 'user', user: { upn: 'a@b', sip: 'a@b' } })
    expect(headers['x-s2s-user-upn']).toBe('a@b')
    expect(headers['x-s2s-user-sip']).toBe('a@b')
    expect('x-s2s-user-smtp' in headers).toBe(false)
    expect('x-s2s-user-nameid' in headers).toBe(false)
  })
})
