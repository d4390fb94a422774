// The access line's hand-written serializer (log/flat-line.ts) must write exactly what pino writes for the same
// fields through the same logger: the log shape is a contract (issue 11: "a rewrite of how, not of what"), whether
// the line goes to a stream as a string or into the stdout batch's bytes.
import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/log/index.js'
import { logFlatLine, type FlatValue } from '../../../src/log/flat-line.js'
import { numberText } from '../../../src/log/json-text.js'
import { LineBatch } from '../../../src/log/line-batch.js'

type Destination = 'a stream' | 'the stdout batch'
const DESTINATIONS: Destination[] = ['a stream', 'the stdout batch']

function capture(level = 'info', destination: Destination = 'a stream'): { lines: string[]; logger: pino.Logger } {
  const lines: string[] = []
  const sink =
    destination === 'a stream'
      ? new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
      : new LineBatch({ write: (bytes) => void lines.push(bytes.toString('utf8')) }, 1) // 1 byte: every line written at once
  // A fixed clock, so pino's line and ours can be compared whole; the rest is the gateway's own logger setup.
  const logger = createLogger(level, sink)
  ;(logger as unknown as Record<symbol, unknown>)[pino.symbols.timeSym] = () => ',"time":1764700000000'
  return { lines, logger }
}

async function both(fields: Record<string, FlatValue | object>, destination: Destination): Promise<[string | undefined, string | undefined]> {
  const { lines, logger } = capture('info', destination)
  logger.info(fields, 'request')
  logFlatLine(logger, fields as Record<string, FlatValue>, 'request')
  await new Promise((r) => setImmediate(r))
  return [lines[0], lines[1]]
}

const ACCESS = {
  reqId: 'a1b2c3', listener: 'inbound', method: 'GET', path: '/api/items', status: 200, outcome: 'ok', partner: 'exchange',
  authType: 'app', user: undefined, code: undefined, reason: undefined, upstreamStatus: 200, upstreamError: undefined, retried: undefined,
  durationMs: 1.234, authMs: 0.012, upstreamMs: 1.1, access: undefined, permission: undefined, deny: undefined, wouldDeny: undefined,
}

describe.each(DESTINATIONS)('logFlatLine writes what pino writes, to %s', (destination) => {
  it.each([
    ['an access record, undefined fields left out', ACCESS],
    ['strings that need escaping', { path: '/a"b\\c\u0001\u007f', user: 'ünïcödé@contoso.com', reason: 'tab\there' }],
    ['booleans, zero and negative numbers', { wouldDeny: true, status: 0, durationMs: -0.5 }],
    ['durations in thousandths, whole, tiny and large', { durationMs: 0.007, authMs: 10.5, upstreamMs: 123_456.789, status: 504, partnerMs: 1e-7 }],
    ['a message and values that need escaping', { reqId: 'id "quoted"', path: '/\u2028\u00e9' }],
    ['a field named token or authorization is censored, as the scrub does', { token: 'eyJ.secret.sig', authorization: 'Bearer x', path: '/p' }],
    ['a nested value takes pino\'s own path, scrub included', { reqId: 'r', headers: { authorization: 'Bearer x' } }],
  ])('%s', async (_label, fields) => {
    const [theirs, ours] = await both(fields, destination)
    expect(theirs).toBeDefined()
    expect(ours).toBe(theirs)
    expect(ours).not.toContain('secret')
    expect(ours).not.toContain('Bearer')
  })

  it('escapes a lone surrogate, as JSON.stringify does (pino writes it raw, which UTF-8 cannot hold)', async () => {
    const { lines, logger } = capture('info', destination)
    logFlatLine(logger, { path: '/a\ud800b' }, 'request')
    await new Promise((r) => setImmediate(r))
    expect(lines[0]).toContain('"path":"/a\\ud800b"')
    expect((JSON.parse(lines[0] ?? '') as { path: string }).path).toBe('/a\ud800b')
  })

  it('writes a non-finite number as null, still valid JSON', async () => {
    const { lines, logger } = capture('info', destination)
    logFlatLine(logger, { durationMs: Number.NaN, status: 200 }, 'request')
    await new Promise((r) => setImmediate(r))
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ durationMs: null, status: 200, msg: 'request', service: 's2s-gateway' })
  })

  it('writes nothing below the logger\'s level', async () => {
    const { lines, logger } = capture('warn', destination)
    logFlatLine(logger, ACCESS, 'request')
    await new Promise((r) => setImmediate(r))
    expect(lines).toEqual([])
  })
})

describe('logFlatLine with a logger that is not pino\'s', () => {
  it('hands the fields to a logger that is not pino\'s through its own info', () => {
    const seen: Array<[object, string | undefined]> = []
    const recorder = { debug: () => {}, info: (obj: object, msg?: string) => void seen.push([obj, msg]), warn: () => {}, error: () => {} }
    logFlatLine(recorder, { path: '/p', status: 200 }, 'outbound call')
    expect(seen).toEqual([[{ path: '/p', status: 200 }, 'outbound call']])
  })
})

describe('numberText writes a number as String() does', () => {
  it('for every thousandths value up to 200 ms, as the access line rounds its durations', () => {
    const wrong: string[] = []
    for (let t = 1; t <= 200_000; t++) {
      const value = Math.round((t / 1000) * 1000) / 1000
      if (numberText(value) !== String(value)) wrong.push(`${value}: ${numberText(value)}`)
    }
    expect(wrong).toEqual([])
  })

  it('for durations rounded from random times, large thousandths, integers and anything else', () => {
    const values = [0, -0, 1, 30, 200, 2 ** 31, 1_764_700_000_000, 999_999_999.999, 999_999_999.9991, 1e12, 1e12 + 0.5, 0.1, 0.0005, 1e-7, -0.5, -1.234, 1e21, 2 ** 53]
    let seed = 42
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
    for (let i = 0; i < 50_000; i++) {
      const ms = random() * 10 ** Math.floor(random() * 13)
      values.push(Math.round(ms * 1000) / 1000, ms, -ms)
    }
    const wrong = values.filter((v) => numberText(v) !== String(v)).map((v) => `${v}: ${numberText(v)}`)
    expect(wrong).toEqual([])
  })

  it('writes what JSON cannot hold as null', () => {
    expect([Number.NaN, Infinity, -Infinity].map(numberText)).toEqual(['null', 'null', 'null'])
  })
})

describe.each(DESTINATIONS)('logFlatLine with pino\'s own clock, to %s', (destination) => {
  it('writes the same line as pino but for the time, which is the current epoch time', async () => {
    const lines: string[] = []
    const sink =
      destination === 'a stream'
        ? new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
        : new LineBatch({ write: (bytes) => void lines.push(bytes.toString('utf8')) }, 1)
    const logger = createLogger('info', sink)
    const before = Date.now()
    for (let i = 0; i < 3; i++) {
      logger.info(ACCESS, 'request')
      logFlatLine(logger, ACCESS, 'request')
    }
    const after = Date.now()
    await new Promise((r) => setImmediate(r))
    expect(lines).toHaveLength(6)
    for (const line of lines) {
      const time = (JSON.parse(line) as { time: number }).time
      expect(time).toBeGreaterThanOrEqual(before)
      expect(time).toBeLessThanOrEqual(after)
    }
    const withoutTime = lines.map((line) => line.replace(/,"time":\d+,/, ',"time":T,'))
    expect(withoutTime[1]).toBe(withoutTime[0])
    expect(withoutTime[5]).toBe(withoutTime[4])
  })
})
