// The access line's hand-written serializer (log/flat-line.ts) must write exactly what pino writes for the same
// fields through the same logger: the log shape is a contract (issue 11: "a rewrite of how, not of what").
import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/log/index.js'
import { logFlatLine, type FlatValue } from '../../../src/log/flat-line.js'

function capture(level = 'info'): { lines: string[]; logger: pino.Logger } {
  const lines: string[] = []
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
  // A fixed clock, so pino's line and ours can be compared whole; the rest is the gateway's own logger setup.
  const logger = createLogger(level, sink)
  ;(logger as unknown as Record<symbol, unknown>)[pino.symbols.timeSym] = () => ',"time":1764700000000'
  return { lines, logger }
}

async function both(fields: Record<string, FlatValue | object>): Promise<[string | undefined, string | undefined]> {
  const { lines, logger } = capture()
  logger.info(fields, 'request')
  logFlatLine(logger, fields as Record<string, FlatValue>, 'request')
  await new Promise((r) => setImmediate(r))
  return [lines[0], lines[1]]
}

const ACCESS = {
  reqId: 'a1b2c3', listener: 'inbound', method: 'GET', path: '/api/items', status: 200, outcome: 'ok', partner: 'exchange',
  authType: 'app', user: undefined, code: undefined, reason: undefined, upstreamStatus: 200, upstreamError: undefined,
  durationMs: 1.234, authMs: 0.012, upstreamMs: 1.1, access: undefined, permission: undefined, deny: undefined, wouldDeny: undefined,
}

describe('logFlatLine writes what pino writes', () => {
  it.each([
    ['an access record, undefined fields left out', ACCESS],
    ['strings that need escaping', { path: '/a"b\\c\u0001\u007f', user: 'ünïcödé@contoso.com', reason: 'tab\there' }],
    ['booleans, zero and negative numbers', { wouldDeny: true, status: 0, durationMs: -0.5 }],
    ['a field named token or authorization is censored, as the scrub does', { token: 'eyJ.secret.sig', authorization: 'Bearer x', path: '/p' }],
    ['a nested value takes pino\'s own path, scrub included', { reqId: 'r', headers: { authorization: 'Bearer x' } }],
  ])('%s', async (_label, fields) => {
    const [theirs, ours] = await both(fields)
    expect(theirs).toBeDefined()
    expect(ours).toBe(theirs)
    expect(ours).not.toContain('secret')
    expect(ours).not.toContain('Bearer')
  })

  it('writes a non-finite number as null, still valid JSON', async () => {
    const { lines, logger } = capture()
    logFlatLine(logger, { durationMs: Number.NaN, status: 200 }, 'request')
    await new Promise((r) => setImmediate(r))
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ durationMs: null, status: 200, msg: 'request', service: 's2s-gateway' })
  })

  it('hands the fields to a logger that is not pino\'s through its own info', () => {
    const seen: Array<[object, string | undefined]> = []
    const recorder = { debug: () => {}, info: (obj: object, msg?: string) => void seen.push([obj, msg]), warn: () => {}, error: () => {} }
    logFlatLine(recorder, { path: '/p', status: 200 }, 'outbound call')
    expect(seen).toEqual([[{ path: '/p', status: 200 }, 'outbound call']])
  })

  it('writes nothing below the logger\'s level', async () => {
    const { lines, logger } = capture('warn')
    logFlatLine(logger, ACCESS, 'request')
    await new Promise((r) => setImmediate(r))
    expect(lines).toEqual([])
  })
})
