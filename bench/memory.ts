// Bench: memory after many distinct valid tokens (target: RSS < 200 MB after 200,000). Every request carries a
// new user-context token (load/generate.lua: a fresh unsigned outer token around one signed actor token), so every
// request is a cache miss, a full verification and a new cache entry; the caches must stay bounded.
import { runLoad } from './load/index.js'
import { firstToken } from './measure.js'
import { peakRssBytes, rssBytes } from './proc.js'
import type { Row } from './rows.js'
import { startTarget, type RunContext } from './targets.js'

export interface MemoryResult {
  tokens: number
  rssAtReadyMb: number
  rssAfterMb: number
  peakRssMb: number
  /** Throughput while filling (every request a full verification of a user token). */
  rps: number
  unexpected: number
}

const ROW: Row = { id: 'memory', kind: 'gateway', label: 'memory', pool: 'appWarm', expect: 200, reference: false }

export async function measureMemory(ctx: RunContext, tokens: number, connections: number): Promise<MemoryResult> {
  const target = await startTarget(ROW, ctx, { firstToken: firstToken(ctx.pools.appWarm) })
  try {
    const rssAtReady = rssBytes(target.pid)
    let sent = 0
    let completed = 0
    let unexpected = 0
    let seconds = 0
    while (completed < tokens) {
      const chunkSec = completed === 0 ? 5 : Math.max(1, Math.min(10, Math.ceil(((tokens - completed) / Math.max(1, completed / seconds)) * 1.1)))
      const load = await runLoad(ctx.generator, { url: target.url, mode: 'generate', file: ctx.pools.generated, start: sent, connections, durationSec: chunkSec, cpus: ctx.pinning.loadCpus })
      sent += load.sent
      completed += load.requests
      seconds += load.durationSec
      unexpected += load.statusErrors + load.socketErrors
    }
    return {
      tokens: completed,
      rssAtReadyMb: rssAtReady / 1048576,
      rssAfterMb: rssBytes(target.pid) / 1048576,
      peakRssMb: peakRssBytes(target.pid) / 1048576,
      rps: completed / seconds,
      unexpected,
    }
  } finally {
    await target.stop()
  }
}
