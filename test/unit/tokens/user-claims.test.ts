// User claims that cannot become a header value, or differ from the user only by white space, are refused (issue 17).
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/errors/index.js'
import { readUserClaims } from '../../../src/tokens/user-claims.js'

function reasonOf(payload: Record<string, unknown>): unknown {
  try {
    readUserClaims(payload)
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError)
    return { reason: (err as GatewayError).reason, ...(err as GatewayError).detail }
  }
  return 'accepted'
}

describe('readUserClaims', () => {
  it.each(['a\ud800b@contoso.com', 'a\udc00', '😀'.slice(0, 1), 'x\udfff'])('refuses a lone surrogate (%j): no UTF-8 form', (value) => {
    expect(reasonOf({ upn: value })).toEqual({ reason: 'claim_value', claim: 'upn' })
  })
  it('keeps a whole surrogate pair (an emoji is a valid code point)', () => {
    expect(readUserClaims({ upn: 'a😀@contoso.com' })).toEqual({ upn: 'a😀@contoso.com' })
  })
  it.each([' ceo@contoso.com', 'ceo@contoso.com ', '\u00a0ceo@contoso.com', 'ceo@contoso.com\u2003', '   '])('refuses leading or trailing white space (%j) rather than trimming it', (value) => {
    expect(reasonOf({ smtp: value })).toEqual({ reason: 'claim_value', claim: 'smtp', problem: 'whitespace' })
  })
  it('keeps inner white space', () => {
    expect(readUserClaims({ nameid: 'Jane Doe' })).toEqual({ nameid: 'Jane Doe' })
  })
})
