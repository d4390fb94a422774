// `s2s-gateway demo`: the gateway's JSON log as readable text. One line per request (the access line: method,
// path, status, outcome, partner, auth type, user or reason, time), warnings and errors by their message; other
// info lines (partner loading, listening) are left out, the demo prints its own account of those.
import { Writable } from 'node:stream'

type Out = (line?: string) => void
type Entry = Record<string, unknown>

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/** `GET /api/items -> 200 ok | exchange, app | 3.1 ms`; undefined for a line that is not an access line. */
export function formatAccessLine(entry: Entry): string | undefined {
  if (entry['msg'] !== 'request') return undefined
  const who = text(entry['partner']) === undefined ? undefined : [entry['partner'], entry['authType'], entry['user']].map(text).filter((v) => v !== undefined).join(', ')
  const why = text(entry['reason']) ?? text(entry['code'])
  const status = `${String(entry['status'])} ${String(entry['outcome'])}${why === undefined ? '' : ` (${why})`}`
  const ms = typeof entry['durationMs'] === 'number' ? `${entry['durationMs'].toFixed(1)} ms` : undefined
  return ['access', `${String(entry['method'])} ${String(entry['path'])} -> ${status}`, who, ms].filter((v) => v !== undefined).join(' | ')
}

/** pino levels: 40 warn, 50 error, 60 fatal. */
function formatEntry(entry: Entry): string | undefined {
  const access = formatAccessLine(entry)
  if (access !== undefined) return access
  const level = typeof entry['level'] === 'number' ? entry['level'] : 0
  if (level < 40) return undefined
  return `${level >= 50 ? 'error' : 'warn'} | ${String(entry['msg'] ?? '')}`
}

/** A pino destination that prints the lines worth reading through `out`. */
export function demoLogStream(out: Out): Writable {
  let pending = ''
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (pending + chunk.toString('utf8')).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (line === '') continue
        try {
          const formatted = formatEntry(JSON.parse(line) as Entry)
          if (formatted !== undefined) out(formatted)
        } catch {
          out(line)
        }
      }
      done()
    },
  })
}
