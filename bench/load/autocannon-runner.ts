// Bench child: the fallback load generator when wrk is not installed. Same two modes as the Lua scripts (rotate a
// token pool from a file; or build a distinct user token per request) and the same BENCH_JSON line on stdout.
// argv: <url> <connections> <durationSec> <rotate|generate> <file> <start>
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

const [url = '', connectionsText = '32', durationText = '5', mode = 'rotate', file = '', startText = '0'] = process.argv.slice(2)
let i = Number(startText)

function nextAuthorization(): (() => string | undefined) {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '')
  if (mode === 'generate') {
    const [head = '', tail = ''] = lines
    return () => `Bearer ${head}${Buffer.from(String(i++).padStart(9, '0')).toString('base64url')}${tail}.`
  }
  if (lines.length === 0) return () => undefined
  return () => `Bearer ${lines[i++ % lines.length]}`
}

const next = nextAuthorization()
autocannon(
  {
    url,
    connections: Number(connectionsText),
    duration: Number(durationText),
    timeout: 5,
    requests: [
      {
        setupRequest(request) {
          const authorization = next()
          return authorization === undefined ? request : { ...request, headers: { ...request.headers, authorization } }
        },
      },
    ],
  },
  (err, result) => {
    if (err !== null) throw err
    const us = (ms: number): number => Math.round(ms * 1000)
    const line = {
      requests: result.requests.total,
      durationUs: Math.round(result.duration * 1e6),
      bytes: 0,
      connectErrors: result.errors - result.timeouts,
      readErrors: 0,
      writeErrors: 0,
      statusErrors: result.non2xx,
      timeouts: result.timeouts,
      p50Us: us(result.latency.p50),
      p90Us: us(result.latency.p90),
      p99Us: us(result.latency.p99),
      maxUs: us(result.latency.max),
      meanUs: us(result.latency.average),
      sent: i - Number(startText),
    }
    process.stdout.write(`BENCH_JSON ${JSON.stringify(line)}\n`)
  },
)
