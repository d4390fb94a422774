// Bench: the open-loop load generator itself (the child load/open-loop.ts runs it and prints its BENCH_JSON line).
// Requests leave at a fixed rate whatever the target answers (unlike wrk and plain autocannon, which wait for an
// answer before the next request on a connection, so their p99 only mirrors throughput). autocannon's
// `overallRate` is not this: it lets every connection send its per-second quota back to back and then idle, so
// each second starts at saturation. A 1 ms timer sends every request that is due (rate/1000 per tick); latency
// runs from that tick to the end of the answer, so a request queued behind busy connections counts its wait.
import { Pool, type Dispatcher } from 'undici'
import { dueBy, summariseLatencies } from './open-loop-stats.js'

export interface OpenLoopOptions {
  url: string
  ratePerSec: number
  durationMs: number
  /** Bearer tokens rotated one per request; empty: no Authorization header. */
  tokens: readonly string[]
  /** Index of the first token. */
  start: number
  connections: number
  /** How long answers still on their way after the window are waited for; the rest count as timeouts. */
  drainMs?: number
}

/** The figures every load generator reports (load/index.ts reads them from the BENCH_JSON line). */
export interface OpenLoopResult {
  requests: number
  durationUs: number
  bytes: number
  connectErrors: number
  readErrors: number
  writeErrors: number
  /** Answers with status >= 400, as wrk counts them. */
  statusErrors: number
  timeouts: number
  p50Us: number
  p90Us: number
  p99Us: number
  maxUs: number
  meanUs: number
  sent: number
  /** p99 of how late requests left after they were due (the generator's own timer and CPU), µs. */
  lagP99Us: number
}

export async function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(o.url)
  const path = target.pathname + target.search
  const pool = new Pool(target.origin, { connections: o.connections, pipelining: 1, keepAliveTimeout: 60_000 })
  const latenciesUs: number[] = []
  const lagsUs: number[] = []
  let next = o.start
  let completed = 0
  let statusErrors = 0
  let errors = 0
  let outstanding = 0

  const send = (dueAt: number): void => {
    outstanding++
    let status = 0
    // undici's callback handler (the form a Pool takes): no promise, no stream per request.
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
    const headers = o.tokens.length === 0 ? {} : { authorization: `Bearer ${o.tokens[next++ % o.tokens.length] as string}` }
    pool.dispatch({ origin: target.origin, path, method: 'GET', headers }, handler)
  }

  const started = performance.now()
  let sent = 0
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now()
      const elapsed = now - started
      const due = dueBy(Math.min(elapsed, o.durationMs - 1e-6), o.ratePerSec)
      while (sent < due) {
        lagsUs.push((now - started - (sent * 1000) / o.ratePerSec) * 1000)
        send(now)
        sent++
      }
      if (elapsed >= o.durationMs) {
        clearInterval(timer)
        resolve()
      }
    }
    const timer = setInterval(tick, 1)
    tick()
  })
  const windowMs = performance.now() - started
  const deadline = performance.now() + (o.drainMs ?? 5000)
  while (outstanding > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  const timeouts = outstanding
  await pool.destroy()
  const l = summariseLatencies(latenciesUs)
  return {
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
    lagP99Us: Math.round(summariseLatencies(lagsUs).p99),
  }
}
