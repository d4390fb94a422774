// Bench child: the open-loop load generator for the added-latency target. Requests leave at a fixed rate whatever
// the target answers (unlike wrk and plain autocannon, which wait for an answer before the next request on a
// connection, so their p99 only mirrors throughput). autocannon's `overallRate` is not this: it lets every
// connection send its per-second quota back to back and then idle, so each second starts at saturation.
// A 1 ms timer sends every request that is due (rate/1000 per tick); latency runs from that tick to the end of
// the answer, so a request queued behind busy connections counts its wait. Same BENCH_JSON line as the others.
// argv: <url> <rate per s> <durationSec> <tokens file> <start> <connections>
import { readFileSync } from 'node:fs'
import { Pool, type Dispatcher } from 'undici'
import { dueBy, summariseLatencies } from './open-loop-stats.js'

const [url = '', rateText = '1000', durationText = '3', file = '', startText = '0', connectionsText = '32'] = process.argv.slice(2)
const rate = Number(rateText)
const durationMs = Number(durationText) * 1000
const target = new URL(url)
const path = target.pathname + target.search
const tokens = file === '' ? [] : readFileSync(file, 'utf8').split('\n').filter((l) => l !== '')
let next = Number(startText)

const pool = new Pool(target.origin, { connections: Number(connectionsText), pipelining: 1, keepAliveTimeout: 60_000 })
const latenciesUs: number[] = []
let completed = 0
let statusErrors = 0
let errors = 0
let outstanding = 0

function headersFor(): Record<string, string> {
  if (tokens.length === 0) return {}
  return { authorization: `Bearer ${tokens[next++ % tokens.length] as string}` }
}

function send(dueAt: number): void {
  outstanding++
  let status = 0
  // undici's callback handler (a Pool takes this form): no promise, no stream per request.
  const handler: Dispatcher.DispatchHandler = {
    onConnect() {},
    onHeaders(statusCode) {
      status = statusCode
      return true
    },
    onData() {
      return true
    },
    onComplete() {
      outstanding--
      completed++
      if (status >= 400) statusErrors++
      latenciesUs.push((performance.now() - dueAt) * 1000)
    },
    onError() {
      outstanding--
      errors++
    },
  }
  pool.dispatch({ origin: target.origin, path, method: 'GET', headers: headersFor() }, handler)
}

async function main(): Promise<void> {
  const started = performance.now()
  let sent = 0
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now()
      const elapsed = now - started
      const due = dueBy(Math.min(elapsed, durationMs - 1e-6), rate)
      while (sent < due) {
        send(now)
        sent++
      }
      if (elapsed >= durationMs) {
        clearInterval(timer)
        resolve()
      }
    }
    const timer = setInterval(tick, 1)
    tick()
  })
  const windowMs = performance.now() - started
  // Answers still on their way: wait for them, a bounded time; the rest count as timeouts.
  const deadline = performance.now() + 5000
  while (outstanding > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  const timeouts = outstanding
  await pool.destroy()
  const l = summariseLatencies(latenciesUs)
  const line = {
    requests: completed,
    durationUs: Math.round(windowMs * 1000),
    bytes: 0,
    connectErrors: errors,
    readErrors: 0,
    writeErrors: 0,
    statusErrors,
    timeouts,
    p50Us: Math.round(l.p50),
    p90Us: Math.round(l.p90),
    p99Us: Math.round(l.p99),
    maxUs: Math.round(l.max),
    meanUs: Math.round(l.mean),
    sent,
  }
  process.stdout.write(`BENCH_JSON ${JSON.stringify(line)}\n`)
}

await main()
