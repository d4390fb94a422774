// Bench: the whole process's CPU per request by stage, from `perf record -g` (issue 11). `--cpu-prof` sees only
// JavaScript frames; perf's cpu-clock samples (no hardware counters needed) also see V8's runtime and builtins,
// the GC threads, libuv's pool and the kernel, charged to the JavaScript frames that asked for them when the
// process runs with `--perf-basic-prof`. Run by hand (commands in BENCHMARKS.md, "fourth look"):
//   node bench/.build/bench/perf-stages.js <perf.data> <requests in the recorded window> [frame text ...]
// It prints µs per request: the total, per binary, the frames of our own code (src/) inclusive of everything
// under them, and each frame text given (for example `stream` for http-proxy's forward, `_http_server`).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'

interface Sample {
  /** Frames as perf names them, leaf first. */
  frames: string[]
  /** Binary of the leaf frame. */
  dso: string
}

const SAMPLE_HZ = 2000

/**
 * V8 reuses the memory of code it has thrown away, and `--perf-basic-prof` appends the new code's line to the map
 * without removing the old one; perf then names a hot function by whichever came first (a deoptimised
 * `accessRecordOf` standing for node's `emitCloseNT`, 62 µs per request). Of overlapping lines only the newest is
 * kept (the original is saved as `.orig` once): code alive at the end of the run is the code that was hot in it.
 */
function keepNewestCode(file: string): void {
  const pidText = execFileSync('perf', ['script', '-i', file, '-F', 'pid'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim()
    .split('\n', 1)[0]
  const map = `/tmp/perf-${Number(pidText)}.map`
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

function readSamples(file: string): Sample[] {
  keepNewestCode(file)
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'ip,sym,dso'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString()
  const samples: Sample[] = []
  for (const block of text.split('\n\n')) {
    const frames: string[] = []
    let dso = ''
    for (const raw of block.split('\n')) {
      // "<ip> <symbol> (<binary>)"
      const m = /^\s*[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)\s*$/.exec(raw)
      if (m === null) continue
      if (frames.length === 0) dso = (m[2] ?? '').replace(/^.*\//, '').replace(/^perf-\d+\.map$/, '[JIT]')
      frames.push(m[1] ?? '')
    }
    if (frames.length > 0) samples.push({ frames, dso })
  }
  return samples
}

/** A JavaScript frame of our own code, as --perf-basic-prof names it: `JS:*name file:///…/src/dir/file.js:line:col`. */
function ownFrame(frame: string): string | undefined {
  const m = /^JS:[*^~+]?(\S*) \S*\/src\/(\S+?:\d+):\d+$/.exec(frame)
  return m === null ? undefined : `${m[1] || '(anonymous)'} ${m[2]}`
}

function main(): void {
  process.stdout.on('error', () => process.exit(0)) // a closed pipe (`| head`) ends the listing
  const [file, requestsText, ...wanted] = process.argv.slice(2)
  const requests = Number(requestsText)
  if (file === undefined || !(requests > 0)) {
    process.stderr.write('usage: perf-stages.js <perf.data> <requests in the recorded window> [frame text ...]\n')
    process.exit(2)
  }
  const samples = readSamples(file)
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
}

main()
