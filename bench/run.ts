// Bench entry point (`npm run bench`): starts the echo backend, generates every token pool, then measures each
// row in interleaved repeats with a fresh process per measurement; prints the table, writes
// bench/results/<timestamp>.json|md and (full runs) the latest summary in BENCHMARKS.md.
// `--check` exits 1 when a target is missed; `--soak S` runs only the memory-flatness test.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { prepareBaseline } from './baseline.js'
import { updateBenchmarksFile } from './benchmarks-file.js'
import { createFixtures } from './fixtures.js'
import { chooseLoadGenerator } from './load/index.js'
import { describeMachine, machineLine } from './machine.js'
import { measureMemory } from './memory.js'
import { firstToken, measureRow, orderFor, poolFile, type Sample } from './measure.js'
import { startTarget } from './targets.js'
import { comparePairs, pairFailures, pairsMarkdown } from './pairs.js'
import { parseOptions, type BenchOptions } from './options.js'
import { SCHEMA } from '../src/schema/index.js'
import type { SectionOption } from '../src/schema/options.js'
import { childScript, RESULTS } from './paths.js'
import { summariseProfile, type ProfileSummary } from './profile.js'
import { extrasMarkdown, failuresOf, floorFailuresOf, fullMarkdown, markdownTable, noiseNote, profileMarkdown, referenceOf, summarise, type RunReport } from './report.js'
import { judgeTargets, latencyRate, latencyRows, targetsMarkdown, verdictFailures } from './judge.js'
import { latencyMarkdown, latencyNoise, runLatencyPass, type LatencyPass } from './latency.js'
import { runWorkersPass, workersPassRate, workersPassRows, type WorkersPass } from './workers-pass.js'
import { COLD_POOL, isOwnGateway, REJECT_POOL, ROWS, USERS, type Row } from './rows.js'
import { runSoak, soakMarkdown } from './soak.js'
import { choosePinning, freePort, hasCommand, spawnPinned, stopProcess, waitForHttp } from './spawn.js'
import { measureStartup } from './startup.js'
import type { RunContext } from './targets.js'
import { makeTokenPools, writeClientHead } from './tokens.js'

const log = (line: string): void => void process.stderr.write(`${line}\n`)

function selectRows(opts: BenchOptions): Row[] {
  const available = (row: Row): boolean => {
    if (row.kind === 'nginx' || row.kind === 'nginx-auth' || row.kind === 'nginx-auth-cached') return hasCommand('nginx')
    if (row.kind === 'haproxy' || row.kind === 'haproxy-jwt') return hasCommand('haproxy')
    return true
  }
  // The outbound scenario only where this build has an outbound listener (issue 3).
  const hasOutbound = (SCHEMA.fields['listen'] as SectionOption | undefined)?.fields['outbound'] !== undefined
  let rows = ROWS.filter((row) => (opts.references || !row.reference) && ((row.kind !== 'gateway-outbound' && row.kind !== 'bare-outbound') || hasOutbound))
  // --check: the rows with a target and the references they are divided by, nothing else.
  if (opts.check) rows = rows.filter((row) => row.target !== undefined || rows.some((r) => r.target !== undefined && referenceOf(r) === row.id))
  if (opts.only !== undefined) {
    const wanted = new Set(opts.only)
    for (const row of rows) if (wanted.has(row.id)) wanted.add(referenceOf(row))
    rows = rows.filter((row) => row.id === 'bare' || wanted.has(row.id))
  }
  const skipped = rows.filter((row) => !available(row))
  for (const row of skipped) log(`skipping ${row.id}: not installed`)
  return rows.filter(available)
}

async function profileRows(rows: readonly Row[], ctx: RunContext, opts: BenchOptions, dir: string): Promise<Record<string, ProfileSummary>> {
  const profiles: Record<string, ProfileSummary> = {}
  mkdirSync(dir, { recursive: true })
  for (const row of rows.filter((r) => r.kind === 'gateway' || r.kind === 'bare' || r.kind === 'gateway-undici')) {
    const name = `${row.id}.cpuprofile`
    log(`profiling ${row.id} ...`)
    const sample = await measureRow(row, ctx, { repeat: -1, connections: opts.connections, durationSec: opts.durationSec, warmupSec: opts.warmupSec, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`] })
    profiles[row.id] = { ...summariseProfile(join(dir, name), sample.window), cpuUsPerRequest: sample.cpuUsPerRequest }
  }
  return profiles
}

/** `--serve`: start processes and keep them until Ctrl-C, for measuring by hand (perf, strace, wrk). */
async function serveByHand(ids: readonly string[], ctx: RunContext): Promise<void> {
  const started = []
  for (const id of ids) {
    const row = ROWS.find((r) => r.id === id)
    if (row === undefined) throw new Error(`unknown row ${id}`)
    const file = poolFile(row, ctx)
    const target = await startTarget(row, ctx, { firstToken: firstToken(file) })
    started.push(target)
    log(`${id}: pid ${target.pid}  ${target.url}  log ${target.logFile}`)
    log(`  wrk -t1 -c32 -d10s -s bench/load/rotate.lua ${target.url} -- ${file} 0`)
  }
  log('Ctrl-C stops everything')
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()))
  for (const target of started) await target.stop()
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2))
  const startedAt = new Date().toISOString()
  const stamp = startedAt.replace(/[:.]/g, '-')
  const workDir = join(RESULTS, `${stamp}-work`)
  mkdirSync(join(workDir, 'logs'), { recursive: true })
  const generator = chooseLoadGenerator(opts.load)
  const pinning = choosePinning(opts.pin, opts.proxyCpus, opts.loadCpus)
  const machine = describeMachine(generator, pinning)
  log(`s2s-gateway bench: ${machineLine(machine)}`)

  const fixtures = await createFixtures(join(workDir, 'fixtures'))
  const t0 = performance.now()
  const pools = makeTokenPools(workDir, fixtures.partner, { coldPool: COLD_POOL, users: USERS, rejectPool: REJECT_POOL })
  log(`token pools ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (before any timed window)`)

  const echoPort = await freePort()
  const echo = spawnPinned(pinning.loadCpus, process.execPath, [childScript('children/echo'), String(echoPort)], ['ignore', 'inherit', 'inherit'])
  const ctx: RunContext = {
    generator, pinning, workDir, fixtures, pools, echoPort, keepLogs: opts.keepLogs, gatewayNodeArgs: opts.gatewayNodeArgs,
    ...(opts.clientHead ? { clientHeadFile: writeClientHead(workDir) } : {}),
  }
  const failures: string[] = []
  try {
    await waitForHttp(`http://127.0.0.1:${echoPort}/`, (s) => s === 200, { timeoutMs: 10_000, child: echo })
    if (opts.serve !== undefined) {
      await serveByHand(opts.serve, ctx)
      return
    }
    if (opts.soakSec > 0) {
      log(`soak: ${opts.soakSec} s of mixed load on one gateway`)
      const soak = await runSoak(ctx, opts.soakSec, opts.connections, log)
      const file = join(RESULTS, `${stamp}-soak.json`)
      writeFileSync(file, JSON.stringify({ startedAt, machine, soak }, null, 2))
      const verdict = soak.flat ? 'flat' : 'NOT FLAT'
      log(`soak: ${soak.requests} requests, RSS slope ${soak.slopeMbPerMin.toFixed(2)} MB/min → ${soak.projectedGrowthMb.toFixed(1)} MB over the run (allowed ${soak.allowedGrowthMb.toFixed(1)}), peak ${soak.peakRssMb.toFixed(0)} MB: ${verdict}; ${soak.unexpected} unexpected responses`)
      log(`results: ${file}`)
      if (opts.writeBenchmarks) log(`updated ${updateBenchmarksFile(soakMarkdown(soak, startedAt, machineLine(machine)), 'soak')}`)
      if (!soak.flat || soak.unexpected > 0) process.exitCode = 1
      return
    }

    let rows = selectRows(opts)
    if (opts.variants.length > 0) {
      rows = rows.flatMap((row) => {
        if (!isOwnGateway(row.kind)) return [row]
        const { target: _target, ...rest } = row
        return [
          row,
          ...opts.variants.map((v) => ({
            ...rest, id: `${row.id}~${v.name}`, label: `${row.label} [${v.name}]`, reference: true,
            ...(v.overrides === undefined ? {} : { configOverrides: v.overrides }),
            ...(v.nodeArgs === undefined ? {} : { nodeArgs: v.nodeArgs }),
          })),
        ]
      })
    }
    if (opts.builds.length > 0) {
      rows = rows.flatMap((row) => {
        if (!isOwnGateway(row.kind)) return [row]
        const { target: _target, ...rest } = row
        return [row, ...opts.builds.map((b) => ({ ...rest, id: `${row.id}+${b.name}`, label: `${row.label} {${b.name}}`, reference: true, gatewayScript: join(resolve(b.dir), 'bench', 'children', 'gateway.js') }))]
      })
    }
    for (const ref of opts.baselines) {
      const base = prepareBaseline(ref)
      log(`baseline: ${ref} (${base.short}) compiled`)
      // Each gateway row is followed by the same scenario on the baseline build (no target: it is the "before").
      rows = rows.flatMap((row) => {
        if (!isOwnGateway(row.kind) || row.gatewayScript !== undefined || row.configOverrides !== undefined || row.nodeArgs !== undefined) return [row]
        const { target: _target, ...rest } = row
        return [row, { ...rest, id: `${row.id}@${base.short}`, label: `${row.label} (as of ${base.short})`, reference: true, gatewayScript: base.gatewayScript }]
      })
    }
    const samples: Sample[] = []
    for (let repeat = 0; repeat < opts.repeats; repeat++) {
      for (const row of orderFor(rows, repeat)) {
        const sample = await measureRow(row, ctx, { repeat, connections: opts.connections, durationSec: opts.durationSec, warmupSec: opts.warmupSec })
        samples.push(sample)
        log(`  [${repeat + 1}/${opts.repeats}] ${row.id.padEnd(16)} ${sample.rps.toFixed(0).padStart(7)} req/s  p99 ${sample.p99Ms.toFixed(2).padStart(6)} ms  ${sample.cpuUsPerRequest.toFixed(0).padStart(4)} µs CPU/req${sample.cacheMisses === undefined ? '' : `  ${sample.cacheMisses} cache misses`}${sample.unexpected > 0 ? `  ${sample.unexpected} UNEXPECTED` : ''}`)
      }
    }
    const latencyRowsRun = latencyRows(rows, ROWS)
    const rate = latencyRate(samples)
    let latency: LatencyPass | undefined
    if (opts.latencySec > 0 && rate !== undefined && latencyRowsRun.length > 1) {
      latency = await runLatencyPass(latencyRowsRun, ctx, { rate, repeats: opts.repeats, durationSec: opts.latencySec, warmupSec: opts.warmupSec, connections: opts.connections, throughput: samples }, log)
    }
    const workerRows = workersPassRows(rows)
    const workersRate = workersPassRate(workerRows, samples)
    let workers: WorkersPass | undefined
    if (opts.latencySec > 0 && workersRate !== undefined && workerRows.length > 1) {
      workers = await runWorkersPass(workerRows, ctx, { rate: workersRate, repeats: opts.repeats, durationSec: opts.latencySec, warmupSec: opts.warmupSec, connections: opts.connections }, log)
    }
    const startup = opts.startup ? await measureStartup(ctx) : undefined
    if (startup !== undefined) log(`  start-up to ready with ${startup.partners} partners: ${startup.readyMs.toFixed(0)} ms`)
    const memory = opts.memoryTokens > 0 ? await measureMemory(ctx, opts.memoryTokens, opts.connections) : undefined
    if (memory !== undefined) log(`  RSS after ${memory.tokens} distinct tokens: ${memory.rssAfterMb.toFixed(0)} MB (peak ${memory.peakRssMb.toFixed(0)} MB)`)
    const profiles = opts.profile ? await profileRows(rows, ctx, opts, join(RESULTS, `${stamp}-profiles`)) : {}

    const summaries = summarise(rows, samples)
    const pairs = [...comparePairs(samples), ...(workers?.pairs ?? [])]
    const verdicts = judgeTargets(ROWS, summaries, latency?.results)
    // A target left out on purpose (--only, --latency 0) is reported as not measured, not as missed.
    failures.push(...verdictFailures(verdicts, opts.only !== undefined || opts.latencySec === 0), ...failuresOf(summaries, startup, memory), ...pairFailures(pairs))
    const report: RunReport = {
      startedAt, options: { ...opts }, machine, pools: pools.sizes, summaries, samples, startup, memory, profiles, failures, pairs, verdicts,
      ...(latency === undefined ? {} : { latency }),
    }
    mkdirSync(RESULTS, { recursive: true })
    writeFileSync(join(RESULTS, `${stamp}.json`), JSON.stringify(report, null, 2))
    const latencyText = latency === undefined ? '' : latencyMarkdown(latency)
    const markdown = fullMarkdown(report, latencyText)
    const noise = [noiseNote(samples, summaries), latency === undefined ? '' : latencyNoise(latency)].filter((t) => t !== '').join(' ')
    const targets = targetsMarkdown(verdicts, { startedAt, command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '), machine: machineLine(machine), noise })
    writeFileSync(join(RESULTS, `${stamp}.md`), `${markdown}\n\n#### Targets\n\n${targets}\n`)
    process.stdout.write(`\n${markdownTable(summaries)}\n\n${noiseNote(samples, summaries)}\n${latencyText === '' ? '' : `\n${latencyText}\n`}${extrasMarkdown(report)}\n${pairsMarkdown(pairs)}\n`)
    process.stdout.write(`\nTargets (issue 11):\n\n${targets}\n`)
    if (Object.keys(profiles).length > 0) process.stdout.write(`\n${profileMarkdown(profiles)}\n`)
    log(`\nresults: bench/results/${stamp}.md (and .json)`)
    if (opts.writeBenchmarks && opts.only === undefined && opts.baselines.length === 0 && opts.variants.length === 0 && opts.builds.length === 0) {
      log(`updated ${updateBenchmarksFile(targets, 'targets')} (Targets)`)
      if (!opts.check) log(`updated ${updateBenchmarksFile(markdown)} (Latest run)`)
    }
    if (failures.length > 0) log(`targets missed: ${failures.join('; ')}`)
    else log('every target met')
    if (opts.check && opts.floors) {
      const below = floorFailuresOf(summaries)
      log(below.length > 0 ? `below the regression floors: ${below.join('; ')}` : 'every regression floor held')
      if (below.length > 0) process.exitCode = 1
    } else if (opts.check && failures.length > 0) {
      process.exitCode = 1
    }
  } finally {
    await stopProcess(echo)
    await fixtures.close()
    if (!opts.keepLogs && opts.serve === undefined) rmSync(workDir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err))
  process.exit(2)
})
