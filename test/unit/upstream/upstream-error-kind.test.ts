// Unit: the kind a backend failure is counted and logged under (s2s_gateway_upstream_errors_total{kind}), from
// net/'s socket fault classification.
import { describe, expect, it } from 'vitest'
import { classifyUpstreamError } from '../../../src/upstream/forward.js'

const errno = (code: string): Error => Object.assign(new Error('x'), { code })

describe('classifyUpstreamError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'refused'],
    ['ENOTFOUND', 'refused'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['CERT_HAS_EXPIRED', 'other'],
    ['ETIMEDOUT', 'other'],
  ])('%s -> %s', (code, kind) => {
    expect(classifyUpstreamError(errno(code))).toBe(kind)
  })

  // Issue 16: the backend's classifier knew fewer codes than the partners' one (outbound/send.ts), so an
  // unreachable network and a failing name lookup other than ENOTFOUND were counted as `other` for the backend
  // and as refused / dns for a partner. One rule now: both are refused (nobody there).
  it.each([['ENETUNREACH'], ['EAI_AGAIN'], ['EAI_FAIL']])('%s -> refused, as for a partner', (code) => {
    expect(classifyUpstreamError(errno(code))).toBe('refused')
  })
})
