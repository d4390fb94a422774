// Bench: one measurement of one row. Fresh process, warm-up (JIT, caches; not measured), then the timed window
// with CPU time and peak RSS of the process under test read from /proc around it (CPU: with its companions, e.g.
// the gateway that nginx asks in the nginx-auth rows).
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { runLoad, type LoadResult } from './load/index.js'
import { cpuBusyMicros, peakRssBytes, treeCpuMicros } from './proc.js'
import type { Row } from './rows.js'
import { startTarget, type RunContext } from './targets.js'

export interface Sample {
  row: string
  repeat: number
  rps: number
  p50Ms: number
  p99Ms: number
  cpuUsPerRequest: number
  /** Share of one CPU the process used during the window. */
  cpuShare: number
  peakRssMb: number
  requests: number
  /** Responses that did not have the row's expected status, and socket errors: must be 0. */
  unexpected: number
  logBytesPerRequest: number
  /** CPU time of other processes on the proxy's CPU during the window (a shared machine), share of that CPU. */
  foreignCpuShare: number
  /** Open-loop windows only: p99 of the load generator's lateness sending requests, ms (latency.ts). */
  loadLagP99Ms?: number
  /** The timed window on CLOCK_MONOTONIC, µs (to cut a --cpu-prof profile to it). */
  window: { fromUs: number; toUs: number }
  /**
   * Verified-token cache misses during the timed window (gateway rows, from its /metrics): a warm row must have none,
   * else its warm-up did not reach every token of its pool and the window measured verifications too.
   */
  cacheMisses?: number
}

const MISSES = /^s2s_gateway_token_cache_total\{result="miss"\} (\d+)/m

/** The gateway's verified-token cache misses so far; undefined when there is no admin listener to ask. */
async function tokenCacheMisses(adminUrl: string | undefined): Promise<number | undefined> {
  if (adminUrl === undefined) return undefined
  try {
    const res = await fetch(`${adminUrl}/metrics`)
    const match = MISSES.exec(await res.text())
    return match === null ? 0 : Number(match[1])
  } catch {
    return undefined
  }
}

/** Round-robin order, rotated by one per repeat so no row always runs right after the same neighbour. */
export function orderFor<T>(rows: readonly T[], repeat: number): T[] {
  const k = repeat % rows.length
  return [...rows.slice(k), ...rows.slice(0, k)]
}

export function poolFile(row: Row, ctx: RunContext): string {
  return ctx.pools[row.pool]
}

/** Pools whose rows measure verified-token cache hits (every token reused). */
const WARM_POOLS: ReadonlySet<string> = new Set(['appWarm', 'userWarm'])

/** Tokens in the row's pool file (one per line). */
function poolSizeOf(row: Row, ctx: RunContext): number {
  return readFileSync(poolFile(row, ctx), 'utf8').split('\n').filter((line) => line !== '').length
}

export function firstToken(file: string): string | undefined {
  const line = readFileSync(file, 'utf8').split('\n')[0]
  return line === undefined || line === '' ? undefined : line
}

/** Responses outside what the row expects: wrk counts status >= 400, so a 401 row expects all of them. */
function unexpectedOf(row: Row, load: LoadResult): number {
  const wrongStatus = row.expect === 200 ? load.statusErrors : load.requests - load.statusErrors
  return wrongStatus + load.socketErrors
}

/**
 * `workers: N` on fewer proxy CPUs: each worker's JIT warms on its own and gets a share of the CPU, so the warm-up
 * lasts as many times longer as workers share a CPU, giving each worker the warm-up a single process gets.
 */
export function warmupScale(row: Row, ctx: RunContext): number {
  const workers = row.configOverrides?.['workers']
  if (typeof workers !== 'number' || workers <= 1) return 1
  const cpus = ctx.pinning.proxyCpus === undefined ? availableParallelism() : ctx.pinning.proxyCpus.split(',').length
  return Math.max(1, Math.ceil(workers / cpus))
}

export async function measureRow(
  row: Row,
  ctx: RunContext,
  opts: { repeat: number; connections: number; durationSec: number; warmupSec: number; nodeArgs?: readonly string[]; rate?: number },
): Promise<Sample> {
  const file = poolFile(row, ctx)
  const target = await startTarget(row, ctx, { firstToken: firstToken(file), ...(opts.nodeArgs === undefined ? {} : { nodeArgs: opts.nodeArgs }) })
  let stopped = false
  try {
    // With a rate, warm-up and window are both open loop at that rate (the added-latency pass, latency.ts).
    const base = {
      url: target.url, mode: 'rotate' as const, file, connections: opts.connections, cpus: ctx.pinning.loadCpus,
      ...(opts.rate === undefined ? {} : { rate: opts.rate }),
      ...(ctx.clientHeadFile === undefined ? {} : { headFile: ctx.clientHeadFile }),
    }
    let start = 0
    const warmupSec = opts.warmupSec * warmupScale(row, ctx)
    if (warmupSec > 0) {
      const warm = await runLoad(ctx.generator, { ...base, start: 0, durationSec: warmupSec })
      start = warm.sent // continue the pool where the warm-up stopped: the cold scenario must never hit its cache
      // A warm row's window must be cache hits only: on a slow machine one second did not reach every one of
      // user-warm's 1,000 tokens (the first sight of each is a full verification), so warm up until it has.
      for (let more = 0; WARM_POOLS.has(row.pool) && start < poolSizeOf(row, ctx) && more < 10; more++) {
        start += (await runLoad(ctx.generator, { ...base, start, durationSec: 1 })).sent
      }
    }
    const missesBefore = await tokenCacheMisses(target.adminUrl)
    const logBefore = target.logSize()
    // The process under test and its companions (nginx rows), each with its children (workers: N)
    const cpuOf = (): number => [target.pid, ...target.companionPids].reduce((sum, pid) => sum + treeCpuMicros(pid), 0)
    const cpuBefore = cpuOf()
    const fromUs = Number(process.hrtime.bigint() / 1000n)
    const busyBefore = cpuBusyMicros(ctx.pinning.proxyCpus)
    const wallBefore = performance.now()
    const load = await runLoad(ctx.generator, { ...base, start, durationSec: opts.durationSec })
    const cpuUs = cpuOf() - cpuBefore
    const busyUs = cpuBusyMicros(ctx.pinning.proxyCpus) - busyBefore
    const toUs = Number(process.hrtime.bigint() / 1000n)
    const wallUs = (performance.now() - wallBefore) * 1000
    const peak = peakRssBytes(target.pid)
    const logBytes = target.logSize() - logBefore
    const missesAfter = await tokenCacheMisses(target.adminUrl)
    await target.stop(opts.nodeArgs?.some((a) => a.startsWith('--cpu-prof')) === true ? 'SIGUSR2' : 'SIGTERM')
    stopped = true
    return {
      row: row.id,
      repeat: opts.repeat,
      rps: load.rps,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      cpuUsPerRequest: cpuUs / Math.max(1, load.requests),
      cpuShare: cpuUs / wallUs,
      peakRssMb: peak / 1048576,
      requests: load.requests,
      unexpected: unexpectedOf(row, load),
      logBytesPerRequest: logBytes / Math.max(1, load.requests),
      foreignCpuShare: ctx.pinning.proxyCpus === undefined ? NaN : Math.max(0, busyUs - cpuUs) / wallUs,
      window: { fromUs, toUs },
      ...(load.lagP99Ms === undefined ? {} : { loadLagP99Ms: load.lagP99Ms }),
      ...(missesBefore === undefined || missesAfter === undefined ? {} : { cacheMisses: missesAfter - missesBefore }),
    }
  } finally {
    if (!stopped) await target.stop('SIGKILL').catch(() => undefined)
  }
}
