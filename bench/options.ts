// Bench: command-line options of `npm run bench -- ...`. Defaults keep a full run to about two minutes on a
// 2-core machine; --check is the short form that exits non-zero when a target is missed.
import type { LoadGenerator } from './load/index.js'

export interface BenchOptions {
  connections: number
  durationSec: number
  warmupSec: number
  repeats: number
  /** Short form: only the rows issue 11's targets need; exit 1 when a target is missed. */
  check: boolean
  /** Seconds per row and repeat of the open-loop added-latency pass (latency.ts); 0 skips it. */
  latencySec: number
  /** With --check: judge by the regression floors (rows.ts) instead of issue 11's targets. */
  floors: boolean
  /** Seconds of mixed load for the memory-flatness run; 0: no soak (the default). */
  soakSec: number
  /** Run each gateway scenario once more under --cpu-prof and print where the time goes. */
  profile: boolean
  /** Row ids to run (default all that apply). */
  only: string[] | undefined
  references: boolean
  pin: boolean
  proxyCpus: string
  loadCpus: string
  load: LoadGenerator | undefined
  /** Distinct valid tokens for the memory test; 0 skips it. */
  memoryTokens: number
  startup: boolean
  keepLogs: boolean
  /** wrk's requests carry a real client's header block (tokens.ts CLIENT_HEAD) instead of Host and Authorization only. */
  clientHead: boolean
  /** Update BENCHMARKS.md: the Targets table (full runs and --check), the latest-summary section (full runs). */
  writeBenchmarks: boolean
  /** Experimental gateway rows: name -> config overrides, each run for every selected gateway scenario. */
  variants: Array<{ name: string; overrides?: Record<string, unknown>; nodeArgs?: string[] }>
  /** Extra node flags for the gateway processes (e.g. --max-semi-space-size=32), applied to every gateway row. */
  gatewayNodeArgs: string[]
  /** Other compiled trees (a copy of bench/.build, edited by hand) measured next to each gateway scenario. */
  builds: Array<{ name: string; dir: string }>
  /** Git refs whose gateway is measured next to the current one (rows `<id>@<commit>`); repeatable. */
  baselines: string[]
  /** Start these rows' processes (and the echo backend), print how to drive them, and wait (profiling by hand). */
  serve: string[] | undefined
}

const HELP = `npm run bench -- [options]
  --connections N     concurrent connections (default 32)
  --duration S        measured whole seconds per row and repeat (default 2)
  --warmup S          unmeasured whole seconds before each measurement (default 6: until JIT and caches settle)
  --repeats N         interleaved repeats, fresh processes each time (default 2; 3 with --check)
  --check             short form (~5 min): only the rows the targets need (no references, start-up, memory);
                      prints and writes the Targets table; exit 1 when a target is missed
  --latency S         seconds per row and repeat of the open-loop added-latency pass (default 3; 0 skips it)
  --floors            with --check: exit 1 only below the regression floors (capacity × bare, see rows.ts)
  --soak S            memory flatness: S seconds of mixed load on one gateway (e.g. --soak 600); nothing else runs
  --profile           also run every gateway scenario under --cpu-prof and print where its CPU goes
  --only a,b          only these rows (ids as printed in the table)
  --no-references     skip the nginx, HAProxy and undici reference rows
  --memory-tokens N   distinct valid tokens for the memory test (default 200000; 0 skips it)
  --no-startup        skip the start-up-to-ready measurement
  --no-pin            do not pin processes to CPUs
  --proxy-cpu LIST    CPUs of the proxy under test (default 1)
  --load-cpu LIST     CPUs of the load generator and echo backend (default 0)
  --load wrk|autocannon  load generator (default: wrk when installed)
  --keep-logs         keep the processes' log files under bench/results/
  --client-head       wrk's requests carry a real client's header block (eight more fields, Connection among them)
                      instead of Host and Authorization only; every row alike (not the open-loop pass)
  --no-write          do not update BENCHMARKS.md
  --variant NAME=JSON also measure the gateway scenarios (outbound included) with JSON merged into the config (rows <id>~NAME),
                      e.g. --variant quiet='{"logging":{"level":"warn"}}' (repeatable); NAME=node:FLAGS runs
                      them with extra node flags instead, e.g. --variant semi64='node:--max-semi-space-size=64'
  --node-args "..."   extra node flags for the gateway processes (space-separated)
  --build NAME=DIR    also measure the gateway scenarios from another compiled tree (a copy of bench/.build
                      with an experiment in it; rows <id>+NAME)
  --baseline REF      also measure the gateway scenarios as of git REF, in the same run (before/after pairs;
                      repeatable)
  --serve a,b         start these rows' processes and wait, printing URLs, pids and token files (for perf/strace)
`

export function parseOptions(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = {
    connections: 32, durationSec: 2, warmupSec: 6, repeats: 2, check: false, latencySec: 3, floors: false, soakSec: 0, profile: false,
    only: undefined, references: true, pin: true, proxyCpus: '1', loadCpus: '0', load: undefined,
    memoryTokens: 200_000, startup: true, keepLogs: false, clientHead: false, writeBenchmarks: true, serve: undefined, baselines: [], variants: [], gatewayNodeArgs: [], builds: [],
  }
  const args = [...argv]
  const value = (name: string): string => {
    const v = args.shift()
    if (v === undefined) throw new Error(`${name} needs a value`)
    return v
  }
  const number = (name: string): number => {
    const n = Number(value(name))
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} needs a non-negative number`)
    return n
  }
  while (args.length > 0) {
    const arg = args.shift() as string
    switch (arg) {
      case '--connections': o.connections = number(arg); break
      case '--duration': o.durationSec = Math.max(1, Math.round(number(arg))); break
      case '--warmup': o.warmupSec = Math.round(number(arg)); break
      case '--repeats': o.repeats = Math.max(1, Math.round(number(arg))); break
      case '--check': o.check = true; break
      case '--latency': o.latencySec = Math.round(number(arg)); break
      case '--floors': o.floors = true; break
      case '--soak': o.soakSec = number(arg); break
      case '--profile': o.profile = true; break
      case '--only': o.only = value(arg).split(',').map((s) => s.trim()).filter((s) => s !== ''); break
      case '--no-references': o.references = false; break
      case '--memory-tokens': o.memoryTokens = Math.round(number(arg)); break
      case '--no-startup': o.startup = false; break
      case '--no-pin': o.pin = false; break
      case '--proxy-cpu': o.proxyCpus = value(arg); break
      case '--load-cpu': o.loadCpus = value(arg); break
      case '--load': {
        const v = value(arg)
        if (v !== 'wrk' && v !== 'autocannon') throw new Error('--load is wrk or autocannon')
        o.load = v
        break
      }
      case '--keep-logs': o.keepLogs = true; break
      case '--client-head': o.clientHead = true; break
      case '--no-write': o.writeBenchmarks = false; break
      case '--baseline': o.baselines.push(value(arg)); break
      case '--build': {
        const text = value(arg)
        const eq = text.indexOf('=')
        if (eq <= 0) throw new Error('--build is NAME=DIR')
        o.builds.push({ name: text.slice(0, eq), dir: text.slice(eq + 1) })
        break
      }
      case '--node-args': o.gatewayNodeArgs = value(arg).split(' ').filter((a) => a !== ''); break
      case '--variant': {
        const text = value(arg)
        const eq = text.indexOf('=')
        if (eq <= 0) throw new Error('--variant is NAME=JSON')
        const name = text.slice(0, eq)
        const spec = text.slice(eq + 1)
        o.variants.push(spec.startsWith('node:') ? { name, nodeArgs: spec.slice(5).split(' ').filter((a) => a !== '') } : { name, overrides: JSON.parse(spec) as Record<string, unknown> })
        break
      }
      case '--serve': o.serve = value(arg).split(',').map((s) => s.trim()).filter((s) => s !== ''); break
      case '--help': case '-h': process.stdout.write(HELP); process.exit(0); break
      default: throw new Error(`unknown option ${arg}\n${HELP}`)
    }
  }
  if (o.check) {
    // Three pairs at least: one window taken by another process must not decide a target alone.
    if (!argv.includes('--repeats')) o.repeats = 3
    o.references = false
    o.memoryTokens = 0
    o.startup = false
  }
  return o
}
