// The added-latency pass needs a load that does not wait for answers (issue 11): requests are due at a fixed rate
// from the start of the window, and latency counts from when a request was due.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { dueBy, percentile, summariseLatencies } from '../../../bench/load/open-loop-stats.js'
import { runOpenLoop } from '../../../bench/load/open-loop-run.js'

describe('dueBy', () => {
  it('is due one request at the start and rate × seconds after them', () => {
    expect(dueBy(0, 1000)).toBe(1)
    expect(dueBy(0.999, 1000)).toBe(1)
    expect(dueBy(1, 1000)).toBe(2)
    expect(dueBy(2999.999, 1000)).toBe(3000)
    expect(dueBy(500, 10)).toBe(6)
  })
  it('is zero before the start or without a rate', () => {
    expect(dueBy(-1, 1000)).toBe(0)
    expect(dueBy(100, 0)).toBe(0)
    expect(dueBy(Number.NaN, 1000)).toBe(0)
  })
})

describe('percentile and summariseLatencies', () => {
  it('takes the nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(hundred, 50)).toBe(50)
    expect(percentile(hundred, 99)).toBe(99)
    expect(percentile(hundred, 100)).toBe(100)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeNaN()
  })
  it('sorts numerically, not as text', () => {
    const s = summariseLatencies([900, 1000, 80, 7, 60])
    expect(s.p50).toBe(80)
    expect(s.max).toBe(1000)
    expect(s.mean).toBeCloseTo(409.4, 5)
  })
})

describe('runOpenLoop against a slow server on 127.0.0.1', () => {
  let server: http.Server | undefined
  afterEach(async () => {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())))
    server = undefined
  })

  it('sends every due request although answers take longer than the interval, and counts 4xx and tokens', async () => {
    const seen: string[] = []
    let inFlight = 0
    let mostInFlight = 0
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '')
      const status = seen.length % 2 === 0 ? 401 : 200
      inFlight++
      mostInFlight = Math.max(mostInFlight, inFlight)
      // Every answer waits 150 ms: a closed loop on 4 connections could not send 40 requests in 400 ms.
      setTimeout(() => {
        inFlight--
        res.writeHead(status, { 'content-length': '2' })
        res.end('ok')
      }, 150)
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()))
    const { port } = server.address() as AddressInfo
    const result = await runOpenLoop({ url: `http://127.0.0.1:${port}/api/items`, ratePerSec: 100, durationMs: 400, tokens: ['a', 'b', 'c'], start: 1, connections: 32 })
    expect(result.sent).toBe(40)
    expect(result.requests).toBe(40)
    expect(seen).toHaveLength(40)
    // Tokens rotate from index 1 (connections may deliver out of order, so count them): b, c, a, b, ... 40 times.
    const count = (t: string): number => seen.filter((h) => h === `Bearer ${t}`).length
    expect([count('a'), count('b'), count('c')]).toEqual([13, 14, 13])
    expect(result.statusErrors).toBe(20)
    expect(result.timeouts + result.connectErrors).toBe(0)
    // Open loop: requests were at the server together, more than one answer's time apart would allow in turn.
    expect(mostInFlight).toBeGreaterThan(4)
    // Latency runs from when a request was due, so it includes the server's 150 ms (a lower bound only, with
    // room for timer rounding: nothing here depends on how fast the machine is).
    expect(result.p50Us).toBeGreaterThanOrEqual(100_000)
    expect(result.lagP99Us).toBeGreaterThanOrEqual(0)
  })

  it('keeps sending when every connection is busy, and counts the wait behind them as latency', async () => {
    server = http.createServer((_req, res) => setTimeout(() => res.end('ok'), 150))
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()))
    const { port } = server.address() as AddressInfo
    // 2 connections, 150 ms per answer: a closed loop could send about 6 requests in 400 ms; 40 are due.
    const result = await runOpenLoop({ url: `http://127.0.0.1:${port}/`, ratePerSec: 100, durationMs: 400, tokens: [], start: 0, connections: 2 })
    expect([result.sent, result.requests, result.timeouts]).toEqual([40, 40, 0])
    // The last ones waited behind 19 answers of 150 ms on their connection: measured from when they were due,
    // not from when a connection took them (no coordinated omission). A lower bound, with a wide margin.
    expect(result.p99Us).toBeGreaterThan(1_000_000)
  })
})
