// Unit: the one rule for the level of an error's log line (errors/level.ts), for every code in the catalogue, and
// what that line holds: code, reason and detail; the cause only for a fault of ours or a peer's.
import { describe, expect, it } from 'vitest'
import { GatewayError, levelOf, logError, logFields, tokenInvalid, type ErrorCode, type LogLevel } from '../../../src/errors/index.js'

// Every code, so a new one cannot join the catalogue without a level here (typecheck). The inbound, forward-auth
// and outbound-peer rows are the levels these answers were logged at before the rule was one (issue 16).
const LEVELS = {
  GW_TOKEN_MISSING: 'debug',
  GW_TOKEN_INVALID: 'debug',
  GW_NOT_ALLOWED: 'info',
  GW_BAD_REQUEST: 'info',
  GW_NOT_FOUND: 'info',
  GW_REQUEST_TIMEOUT: 'info',
  GW_PAYLOAD_TOO_LARGE: 'info',
  GW_HEADERS_TOO_LARGE: 'info',
  GW_NOT_IMPLEMENTED: 'info',
  GW_PARTNER_UNAVAILABLE: 'warn',
  GW_RATE_LIMITED: 'info',
  GW_SHUTTING_DOWN: 'info',
  GW_UPSTREAM_UNREACHABLE: 'warn',
  GW_UPSTREAM_TIMEOUT: 'warn',
  GW_INTERNAL: 'error',
  GW_OUTBOUND_UNKNOWN_PARTNER: 'info',
  GW_OUTBOUND_SECRET: 'info',
  GW_OUTBOUND_ACT_AS_DENIED: 'info',
  GW_OUTBOUND_AUDIENCE_UNKNOWN: 'warn',
  GW_OUTBOUND_UNREACHABLE: 'warn',
  GW_OUTBOUND_AUTHZ_USER: 'info',
  GW_OUTBOUND_AUTHZ_TOKEN: 'warn',
  GW_OUTBOUND_TIMEOUT: 'warn',
  GW_ADMIN_HOST: 'warn',
  GW_ADMIN_CROSS_ORIGIN: 'warn',
  GW_ADMIN_RELOAD_TOKEN: 'warn',
  GW_ADMIN_RELOAD_LOOPBACK: 'warn',
  GW_UNSUPPORTED_MEDIA_TYPE: 'info',
} as const satisfies Record<ErrorCode, LogLevel>

describe('levelOf', () => {
  it.each(Object.entries(LEVELS) as Array<[ErrorCode, LogLevel]>)('%s is logged at %s', (code, level) => {
    expect(levelOf(new GatewayError(code))).toBe(level)
  })

  it('follows the fault alone, whatever the status: the admin reload 401 is a warning, a token 401 debug', () => {
    expect(new GatewayError('GW_ADMIN_RELOAD_TOKEN').status).toBe(401)
    expect(levelOf(new GatewayError('GW_ADMIN_RELOAD_TOKEN'))).toBe('warn')
    expect(levelOf(tokenInvalid('signature'))).toBe('debug')
  })
})

describe('logFields', () => {
  const cause = new Error('connect ECONNREFUSED 127.0.0.1:9')

  it('carries code, detail and reason', () => {
    expect(logFields(tokenInvalid('aud_host', { partner: 'exchange', claim: 'aud' }))).toEqual({ code: 'GW_TOKEN_INVALID', partner: 'exchange', claim: 'aud', reason: 'aud_host' })
  })

  it.each([
    ['ours', 'GW_INTERNAL', true],
    ['a peer\'s (the backend)', 'GW_UPSTREAM_UNREACHABLE', true],
    ['a peer\'s (a partner)', 'GW_OUTBOUND_UNREACHABLE', true],
    ['the caller\'s', 'GW_BAD_REQUEST', false],
    ['a token\'s', 'GW_TOKEN_INVALID', false],
    ['a suspect\'s', 'GW_ADMIN_HOST', false],
  ] as Array<[string, ErrorCode, boolean]>)('a fault that is %s: cause logged %s', (_label, code, logged) => {
    const fields = logFields(new GatewayError(code, { cause }))
    expect('err' in fields).toBe(logged)
    if (logged) expect(fields['err']).toBe(cause)
  })
})

describe('logError', () => {
  type Line = { level: LogLevel; obj: Record<string, unknown>; msg: string | undefined }
  const capture = (enabled: (level: string) => boolean) => {
    const lines: Line[] = []
    const at = (level: LogLevel) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg })
    return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isLevelEnabled: enabled } }
  }

  it('writes one line at the rule\'s level with the request id, the context and the catalogue text', () => {
    const { lines, log } = capture(() => true)
    logError(log, new GatewayError('GW_UPSTREAM_TIMEOUT', { detail: { upstreamError: 'timeout' } }), 'req-1', { listener: 'forward_auth' })
    expect(lines).toEqual([{ level: 'warn', obj: { reqId: 'req-1', listener: 'forward_auth', code: 'GW_UPSTREAM_TIMEOUT', upstreamError: 'timeout' }, msg: 'upstream timed out' }])
  })

  it('without a request id the line has none; a message may be given', () => {
    const { lines, log } = capture(() => true)
    logError(log, new GatewayError('GW_ADMIN_RELOAD_LOOPBACK'), undefined, { access: 'forbidden' }, 'POST /reload refused')
    expect(lines).toEqual([{ level: 'warn', obj: { access: 'forbidden', code: 'GW_ADMIN_RELOAD_LOOPBACK' }, msg: 'POST /reload refused' }])
  })

  it('writes nothing when its level is off (a flood of bad tokens at the default level)', () => {
    const { lines, log } = capture((level) => level !== 'debug')
    logError(log, tokenInvalid('expired'), 'req-2')
    expect(lines).toEqual([])
  })
})
