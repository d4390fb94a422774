// Unit: what an access line says about a request: the outcome derived from the error and the response, and the
// user as configured (logging.userClaim) or pseudonymised (logging.redactUsers).
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { GatewayError, tokenInvalid } from '../../../src/errors/index.js'
import { outcomeOf, outcomeOfError, userForLog, type OutcomeFacts } from '../../../src/inbound/access-log.js'
import type { GatewayConfig } from '../../../src/schema/index.js'

const logging = (over: Partial<GatewayConfig['logging']> = {}): GatewayConfig['logging'] => ({ level: 'info', userClaim: 'upn', redactUsers: false, bufferBytes: 0, maxPendingBytes: 16_777_216, ...over })
const user = { upn: 'alice@contoso.com', smtp: 'alice.mail@contoso.com', sip: 'sip:alice@contoso.com', nameid: 'S-1-5-21' }

describe('userForLog', () => {
  it.each([
    ['upn by default', user, logging(), 'alice@contoso.com'],
    ['the configured claim', user, logging({ userClaim: 'sip' }), 'sip:alice@contoso.com'],
    ['the first present when the configured one is absent', { smtp: 'x@contoso.com', nameid: 'n' }, logging({ userClaim: 'upn' }), 'x@contoso.com'],
    ['nameid as the last resort', { nameid: 'n' }, logging({ userClaim: 'sip' }), 'n'],
    ['nothing for an app-only call', undefined, logging(), undefined],
    ['nothing for a user without claims', {}, logging({ redactUsers: true }), undefined],
  ])('%s', (_label, claims, options, expected) => {
    expect(userForLog(claims, options)).toBe(expected)
  })

  it('hashes the chosen claim with redactUsers: sha256, 16 hex digits, stable', () => {
    const hashed = userForLog(user, logging({ redactUsers: true }))
    expect(hashed).toBe(`sha256:${createHash('sha256').update('alice@contoso.com').digest('hex').slice(0, 16)}`)
    expect(userForLog({ upn: 'alice@contoso.com' }, logging({ redactUsers: true }))).toBe(hashed)
  })
})

describe('outcomeOf', () => {
  const call = (error: GatewayError | undefined, identity: unknown, finished: boolean) =>
    ({ error, identity, upstreamStatus: undefined, upgrade: undefined, res: { writableFinished: finished } }) as unknown as OutcomeFacts
  const identity = { partner: 'exchange' }
  it.each([
    ['ok', undefined, identity, true, 'ok'],
    ['public', undefined, undefined, true, 'public'],
    ['aborted', undefined, identity, false, 'aborted'],
    ['missing token', new GatewayError('GW_TOKEN_MISSING'), undefined, true, 'rejected'],
    ['invalid token', tokenInvalid('expired'), undefined, true, 'rejected'],
    ['forbidden', new GatewayError('GW_NOT_ALLOWED'), undefined, true, 'forbidden'],
    ['partner unavailable', new GatewayError('GW_PARTNER_UNAVAILABLE'), undefined, true, 'unavailable'],
    ['upstream timeout', new GatewayError('GW_UPSTREAM_TIMEOUT'), identity, true, 'upstream_error'],
    ['upstream unreachable', new GatewayError('GW_UPSTREAM_UNREACHABLE'), identity, true, 'upstream_error'],
    ['bad request', new GatewayError('GW_BAD_REQUEST'), undefined, true, 'bad_request'],
    ['websocket refused', new GatewayError('GW_NOT_IMPLEMENTED'), identity, true, 'bad_request'],
    ['internal', new GatewayError('GW_INTERNAL'), undefined, true, 'error'],
  ])('%s', (_label, error, who, finished, expected) => {
    expect(outcomeOf(call(error, who, finished))).toBe(expected)
  })
})

describe('outcomeOfError: one rule for the inbound, forward-auth and outbound listeners', () => {
  // Every code the outbound listener answers with, and the ones whose outcome the three listeners used to disagree on.
  it.each([
    ['GW_OUTBOUND_SECRET', 'forbidden'],
    ['GW_OUTBOUND_ACT_AS_DENIED', 'forbidden'],
    ['GW_OUTBOUND_UNKNOWN_PARTNER', 'bad_request'],
    ['GW_OUTBOUND_UNREACHABLE', 'upstream_error'],
    ['GW_OUTBOUND_TIMEOUT', 'upstream_error'],
    ['GW_OUTBOUND_AUDIENCE_UNKNOWN', 'upstream_error'],
    ['GW_OUTBOUND_AUTHZ_TOKEN', 'upstream_error'],
    ['GW_NOT_IMPLEMENTED', 'bad_request'], // forward-auth used to count it as error
    ['GW_RATE_LIMITED', 'limited'],
    ['GW_PARTNER_UNAVAILABLE', 'unavailable'],
    ['GW_SHUTTING_DOWN', 'error'],
    ['GW_HEADERS_TOO_LARGE', 'bad_request'],
  ] as const)('%s is %s', (code, expected) => {
    expect(outcomeOfError(new GatewayError(code))).toBe(expected)
  })
})
