// Bench: drive a target with load, wrk when installed (a Lua script rotates or builds the tokens), else
// autocannon in a child process; both pinned to the load generator's CPU and reporting the same figures.
// With a `rate`, the open-loop generator (load/open-loop.ts) sends at that fixed rate instead, whichever is chosen.
import { spawn } from 'node:child_process'
import { benchAsset, childScript } from '../paths.js'
import { hasCommand } from '../spawn.js'
import type { OpenLoopResult } from './open-loop-run.js'

export type LoadGenerator = 'wrk' | 'autocannon'

export interface LoadRequest {
  url: string
  /** rotate: the file holds one token per line (none: no Authorization). generate: see load/generate.lua. */
  mode: 'rotate' | 'generate'
  file: string
  /** Index of the first token used (so a run can continue where the previous one stopped). */
  start: number
  connections: number
  durationSec: number
  cpus: string | undefined
  /** Open loop: requests per second sent whatever the answers do (rotate mode only); closed loop otherwise. */
  rate?: number
  /** wrk, rotate mode: a file of `Name: value` lines sent with every request (--client-head). */
  headFile?: string
}

export interface LoadResult {
  requests: number
  durationSec: number
  rps: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /** Responses with status >= 400 (wrk) or outside 2xx (autocannon). */
  statusErrors: number
  /** Connect, read, write errors and timeouts. */
  socketErrors: number
  /** Tokens taken from the pool (>= requests: the last ones may still have been in flight). */
  sent: number
  /** Open loop only: p99 of how late the generator sent requests after they were due, ms. */
  lagP99Ms?: number
}

export function chooseLoadGenerator(preferred: LoadGenerator | undefined): LoadGenerator {
  if (preferred !== undefined) return preferred
  return hasCommand('wrk') ? 'wrk' : 'autocannon'
}

/** What every generator prints on its BENCH_JSON line: the open-loop generator's figures, less its own extras. */
type RawLine = Omit<OpenLoopResult, 'bytes' | 'meanUs' | 'lagP99Us'> & { lagP99Us?: number }

function commandFor(generator: LoadGenerator, load: LoadRequest): [string, string[]] {
  if (load.rate !== undefined) {
    if (load.mode !== 'rotate') throw new Error('the open-loop generator only rotates a token pool')
    return [process.execPath, [childScript('load/open-loop'), load.url, String(load.rate), String(load.durationSec), load.file, String(load.start), String(load.connections)]]
  }
  if (generator === 'wrk') {
    const script = benchAsset(load.mode === 'generate' ? 'load/generate.lua' : 'load/rotate.lua')
    const args = ['-t1', `-c${load.connections}`, `-d${load.durationSec}s`, '--timeout', '5s', '-s', script, load.url, '--', load.file, String(load.start)]
    if (load.headFile !== undefined && load.mode === 'rotate') args.push(load.headFile)
    return ['wrk', args]
  }
  const args = [childScript('load/autocannon-runner'), load.url, String(load.connections), String(load.durationSec), load.mode, load.file, String(load.start)]
  return [process.execPath, args]
}

export async function runLoad(generator: LoadGenerator, load: LoadRequest): Promise<LoadResult> {
  const [command, args] = commandFor(generator, load)
  const full = load.cpus === undefined ? [command, args] as const : ['taskset', ['-c', load.cpus, command, ...args]] as const
  const child = spawn(full[0], full[1], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '))
  if (line === undefined) throw new Error(`${generator} exited ${code} without a result:\n${out}\n${err}`)
  const raw = JSON.parse(line.slice('BENCH_JSON '.length)) as RawLine
  const durationSec = raw.durationUs / 1e6
  return {
    requests: raw.requests,
    durationSec,
    rps: raw.requests / durationSec,
    p50Ms: raw.p50Us / 1000,
    p90Ms: raw.p90Us / 1000,
    p99Ms: raw.p99Us / 1000,
    maxMs: raw.maxUs / 1000,
    statusErrors: raw.statusErrors,
    socketErrors: raw.connectErrors + raw.readErrors + raw.writeErrors + raw.timeouts,
    sent: raw.sent,
    ...(raw.lagP99Us === undefined ? {} : { lagP99Ms: raw.lagP99Us / 1000 }),
  }
}
