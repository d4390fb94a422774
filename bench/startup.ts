// Bench: start-up to ready with 10 partners whose metadata documents are served on loopback (target < 1 s).
// Ready means: /readyz answers 200 and a token of every one of the 10 partners is accepted (200), so every
// partner's keys are loaded. Timed from spawn() of a fresh process, median of a few runs.
import type { BenchPartner } from './fixtures.js'
import { rssBytes } from './proc.js'
import type { Row } from './rows.js'
import { sleep } from './spawn.js'
import { startTarget, type RunContext } from './targets.js'
import { actorToken } from './tokens.js'

export interface StartupResult {
  partners: number
  /** Median ms from spawn to /readyz 200. */
  listeningMs: number
  /** Median ms from spawn to every partner's token accepted. */
  readyMs: number
  runs: number[]
  rssAtReadyMb: number
}

const ROW: Row = { id: 'startup', kind: 'gateway', label: 'start-up', pool: 'appWarm', expect: 200, reference: false }

async function acceptedAll(url: string, tokens: readonly string[]): Promise<boolean> {
  const statuses = await Promise.all(
    tokens.map(async (token) => {
      try {
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
        await res.arrayBuffer()
        return res.status
      } catch {
        return 0
      }
    }),
  )
  return statuses.every((s) => s === 200)
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export async function measureStartup(ctx: RunContext, count = 10, runs = 3): Promise<StartupResult> {
  const partners: BenchPartner[] = [ctx.fixtures.partner, ...(await ctx.fixtures.morePartners(count - 1))]
  const tokens = partners.map((p) => actorToken(p))
  const listening: number[] = []
  const ready: number[] = []
  let rss = 0
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now()
    // startTarget returns once /readyz is 200 and the first partner's token is accepted.
    const target = await startTarget(ROW, ctx, { partners, firstToken: tokens[0], timeoutMs: 20_000 })
    listening.push(performance.now() - t0)
    while (!(await acceptedAll(target.url, tokens))) await sleep(5)
    ready.push(performance.now() - t0)
    rss = rssBytes(target.pid)
    await target.stop()
  }
  return { partners: count, listeningMs: median(listening), readyMs: median(ready), runs: ready, rssAtReadyMb: rss / 1048576 }
}
