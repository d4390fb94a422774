// Bench: the whole process's CPU per request by stage, from `perf record -g` (issue 11). `--cpu-prof` sees only
// JavaScript frames; perf's cpu-clock samples (no hardware counters needed) also see V8's runtime and builtins,
// the GC threads, libuv's pool and the kernel, charged to the JavaScript frames that asked for them when the
// process runs with `--perf-basic-prof`. Run by hand (commands in BENCHMARKS.md, "fourth look"):
//   node bench/.build/bench/perf-stages.js <perf.data> <requests in the recorded window> [--pid N] [frame text ...]
// It prints µs per request: the total, per binary, the frames of our own code (src/) inclusive of everything
// under them, and each frame text given (for example `stream` for http-proxy's forward, `_http_server`); then
// every sample once, by owner (the nearest frame of src/ or of a package, else node core by its outermost
// JavaScript frame, GC, other threads), which run on the bare proxy too (`--perf-basic-prof` on both) compares
// line by line. `--pid` keeps one process of a recording that holds several (`perf record -p A,B`).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'

interface Sample {
  /** Frames as perf names them, leaf first. */
  frames: string[]
  /** Binary of the leaf frame. */
  dso: string
  pid: number
  /** A thread other than the main one (GC helpers, the compiler, libuv's pool). */
  helper: boolean
}

const SAMPLE_HZ = 2000

/**
 * V8 reuses the memory of code it has thrown away, and `--perf-basic-prof` appends the new code's line to the map
 * without removing the old one; perf then names a hot function by whichever came first (a deoptimised
 * `accessRecordOf` standing for node's `emitCloseNT`, 62 µs per request). Of overlapping lines only the newest is
 * kept (the original is saved as `.orig` once): code alive at the end of the run is the code that was hot in it.
 */
function keepNewestCode(pid: number): void {
  const map = `/tmp/perf-${pid}.map`
  if (!existsSync(map)) return
  const original = existsSync(`${map}.orig`) ? `${map}.orig` : map
  const lines = readFileSync(original, 'utf8').split('\n').filter((line) => line !== '')
  const kept: { start: bigint; end: bigint; line: string }[] = [] // sorted by start, never overlapping
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string
    const [startText, sizeText] = line.split(' ', 2)
    const start = BigInt(`0x${startText}`)
    const end = start + BigInt(`0x${sizeText}`)
    let low = 0
    let high = kept.length
    while (low < high) {
      const mid = (low + high) >> 1
      if ((kept[mid] as { start: bigint }).start < start) low = mid + 1
      else high = mid
    }
    const before = kept[low - 1]
    const after = kept[low]
    if ((before !== undefined && before.end > start) || (after !== undefined && after.start < end)) continue
    kept.splice(low, 0, { start, end, line })
  }
  if (original === map) renameSync(map, `${map}.orig`)
  writeFileSync(map, `${kept.map((entry) => entry.line).join('\n')}\n`)
}

function perfScript(file: string, fields: string): string {
  return execFileSync('perf', ['script', '-i', file, '-F', fields], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString()
}

function readSamples(file: string, onlyPid: number | undefined): Sample[] {
  const pids = new Set(perfScript(file, 'pid').split('\n').map(Number).filter((pid) => pid > 0))
  for (const pid of pids) keepNewestCode(pid)
  const text = perfScript(file, 'pid,tid,ip,sym,dso')
  const samples: Sample[] = []
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n')
    const ids = /^\s*(\d+)\/(\d+)/.exec(lines.find((line) => line.trim() !== '') ?? '')
    if (ids === null) continue
    const pid = Number(ids[1])
    if (onlyPid !== undefined && pid !== onlyPid) continue
    const frames: string[] = []
    let dso = ''
    for (const raw of lines) {
      // "<ip> <symbol> (<binary>)"
      const m = /^\s*[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)\s*$/.exec(raw)
      if (m === null) continue
      if (frames.length === 0) dso = (m[2] ?? '').replace(/^.*\//, '').replace(/^perf-\d+\.map$/, '[JIT]')
      frames.push(m[1] ?? '')
    }
    if (frames.length > 0) samples.push({ frames, dso, pid, helper: ids[1] !== ids[2] })
  }
  return samples
}

/** A JavaScript frame of our own code, as --perf-basic-prof names it: `JS:*name file:///…/src/dir/file.js:line:col`. */
function ownFrame(frame: string): string | undefined {
  const m = /^JS:[*^~+]?(\S*) \S*\/src\/(\S+?:\d+):\d+$/.exec(frame)
  return m === null ? undefined : `${m[1] || '(anonymous)'} ${m[2]}`
}

const GC_FRAME = /Heap::CollectGarbage|Heap::PerformGarbageCollection|ScavengerCollector|MarkCompactCollector|MinorMarkSweep/

/** Who a sample's time belongs to, each sample counted once (the lines add up to the total). */
function ownerOf(sample: Sample): string {
  const { frames } = sample
  if (sample.helper) {
    const text = frames.join(' ')
    // The compiler first: its frames name the heap too (`JSHeapBroker`).
    if (/compiler::|Compil|Turbofan|Maglev|Optimiz/.test(text)) return 'thread: JIT compiler'
    if (/Scaveng|Marking|Sweep|Evacuat|Compact|Heap::/.test(text)) return 'thread: garbage collection'
    if (/uv__work|uv__fs|uv_fs/.test(text)) return "thread: libuv's pool (the log's writes)"
    return 'thread: other'
  }
  if (frames.some((frame) => GC_FRAME.test(frame))) return 'main thread: garbage collection'
  for (const frame of frames) {
    const own = /^JS:[*^~+]?\S* \S*\/src\/(\S+?):\d+:\d+$/.exec(frame)
    if (own !== null) return `src/${own[1] ?? ''}`
    const pkg = /\/node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(frame)
    if (pkg !== null) return `package ${pkg[1] ?? ''}`
  }
  // Neither ours nor a package's: node core (or the bare proxy's handler), by its outermost JavaScript frame.
  const outermost = frames.filter((frame) => frame.startsWith('JS:')).pop()
  if (outermost !== undefined) return `node core from ${/^JS:[*^~+]?(\S*)\s/.exec(outermost)?.[1] ?? '?'} ${/(node:\S+?|[^/\s]+\.js):\d+:\d+$/.exec(outermost)?.[1] ?? ''}`
  return `native, no JavaScript: ${[...frames].reverse().find((frame) => /^(node::|uv_|uv__)/.test(frame)) ?? frames[frames.length - 1] ?? '?'}`
}

function main(): void {
  process.stdout.on('error', () => process.exit(0)) // a closed pipe (`| head`) ends the listing
  const args = process.argv.slice(2)
  const pidAt = args.indexOf('--pid')
  const onlyPid = pidAt >= 0 ? Number(args.splice(pidAt, 2)[1]) : undefined
  const [file, requestsText, ...wanted] = args
  const requests = Number(requestsText)
  if (file === undefined || !(requests > 0) || (onlyPid !== undefined && !(onlyPid > 0))) {
    process.stderr.write('usage: perf-stages.js <perf.data> <requests in the recorded window> [--pid N] [frame text ...]\n')
    process.exit(2)
  }
  const samples = readSamples(file, onlyPid)
  const us = (n: number): string => ((n * 1e6) / SAMPLE_HZ / requests).toFixed(2).padStart(8)
  const byDso = new Map<string, number>()
  const inclusive = new Map<string, number>()
  for (const { frames, dso } of samples) {
    byDso.set(dso, (byDso.get(dso) ?? 0) + 1)
    const seen = new Set<string>()
    for (const frame of frames) {
      const own = ownFrame(frame)
      if (own !== undefined) seen.add(own)
      for (const text of wanted) if (frame.includes(text)) seen.add(`[${text}]`)
    }
    for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + 1)
  }
  process.stdout.write(`${us(samples.length)}  all samples (${samples.length} at ${SAMPLE_HZ} Hz over ${requests} requests)\n`)
  for (const [dso, n] of [...byDso].sort((a, b) => b[1] - a[1])) process.stdout.write(`${us(n)}  ${dso}\n`)
  process.stdout.write('inclusive, µs per request:\n')
  for (const [key, n] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 40)) process.stdout.write(`${us(n)}  ${key}\n`)
  const owners = new Map<string, number>()
  let wakeups = 0
  for (const sample of samples) {
    const owner = ownerOf(sample)
    owners.set(owner, (owners.get(owner) ?? 0) + 1)
    // The kernel waking whoever reads a socket this process wrote to (on a VM, an interrupt to the other CPU).
    if (sample.frames.includes('sock_def_readable')) wakeups++
  }
  process.stdout.write('by owner (each sample once), µs per request:\n')
  for (const [key, n] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, 40)) process.stdout.write(`${us(n)}  ${key}\n`)
  process.stdout.write(`${us(wakeups)}  of all samples: waking a socket's reader after a write (sock_def_readable)\n`)
}

main()
