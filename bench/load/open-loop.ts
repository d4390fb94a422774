// Bench child: the open-loop load generator for the added-latency target (load/open-loop-run.ts), pinned to the
// load generator's CPU like wrk; prints the same BENCH_JSON line as the others.
// argv: <url> <rate per s> <durationSec> <tokens file> <start> <connections>
import { readFileSync } from 'node:fs'
import { runOpenLoop } from './open-loop-run.js'

const [url = '', rateText = '1000', durationText = '3', file = '', startText = '0', connectionsText = '32'] = process.argv.slice(2)
const tokens = file === '' ? [] : readFileSync(file, 'utf8').split('\n').filter((l) => l !== '')
const result = await runOpenLoop({
  url,
  ratePerSec: Number(rateText),
  durationMs: Number(durationText) * 1000,
  tokens,
  start: Number(startText),
  connections: Number(connectionsText),
})
process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`)
