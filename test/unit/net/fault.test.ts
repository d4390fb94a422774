// Unit: socket fault classification (net/fault.ts), the one rule for partner calls, the backend and the capped client.
import { describe, expect, it } from 'vitest'
import { classifySocketError, isTlsErrorCode } from '../../../src/net/index.js'

const errno = (code: unknown): Error => Object.assign(new Error('x'), { code })

describe('classifySocketError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'refused'],
    ['ENETUNREACH', 'refused'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['UND_ERR_SOCKET', 'reset'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EPROTO', 'tls'],
    ['ETIMEDOUT', 'other'],
    ['EPROTONOSUPPORT', 'other'],
  ])('%s -> %s', (code, fault) => {
    expect(classifySocketError(errno(code))).toBe(fault)
  })

  it.each([[undefined], [null], [42], ['not an error']])('anything without a string code (%s) -> other', (value) => {
    expect(classifySocketError(value === 42 ? errno(42) : value)).toBe('other')
  })
})

describe('isTlsErrorCode', () => {
  it('matches EPROTO only as a whole code', () => {
    expect(isTlsErrorCode('EPROTO')).toBe(true)
    expect(isTlsErrorCode('EPROTONOSUPPORT')).toBe(false)
  })
})
