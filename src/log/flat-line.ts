// Log: one line of flat fields, serialized by hand and handed to the logger's own stream. The access line is written
// once per request, and pino's general path (hooks, per-key serializer lookups, the scrub's object walk, its JSON)
// measured 3.7–4.1 µs for it (issue 11). The line is byte for byte what pino writes for the same object: level,
// pino's time, the logger's bindings, the fields in order, msg (but for a lone surrogate, escaped here as
// JSON.stringify does, where pino writes it raw and UTF-8 cannot hold it). The second line of defence holds as in
// pino's path (a field named authorization or token is censored); a value that is not a string, number or boolean
// takes pino's path with its full scrub, and a logger that is not pino's gets the fields through its own `info`.
import pino, { type Logger as PinoLogger } from 'pino'
import type { Logger } from './logger.js'

export type FlatValue = string | number | boolean | undefined

const CENSORED = '"[redacted]"'

/** Printable ASCII but '"' and '\\': written between quotes as it is, as JSON.stringify would write it. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/** JSON text of a string: most values (ids, methods, names, paths) need no escaping, so no JSON.stringify call. */
const quoted = (text: string): string => (PLAIN.test(text) ? `"${text}"` : JSON.stringify(text))

/** '', '.001' … '.999' without trailing zeros: the decimals of a number of thousandths, from a table. */
const THOUSANDTHS: readonly string[] = Array.from({ length: 1000 }, (_, i) => (i === 0 ? '' : `.${String(i).padStart(3, '0').replace(/0+$/, '')}`))

/**
 * JSON text of a number, as `String(value)` writes it. The access line's durations are rounded to thousandths, and
 * V8 writes such a double through its general shortest-digits conversion; written from integers instead, it is the
 * same text: a decimal of at most 12 significant digits is the shortest that reads back as its own nearest double.
 */
export function numberText(value: number): string {
  if (Number.isInteger(value)) return `${value}`
  const thousandths = Math.round(value * 1000)
  if (thousandths > 0 && thousandths < 1e12 && thousandths / 1000 === value) {
    const whole = Math.floor(thousandths / 1000)
    return `${whole}${THOUSANDTHS[thousandths - whole * 1000] ?? ''}`
  }
  return Number.isFinite(value) ? `${value}` : 'null'
}

/** pino's epochTime, written once per millisecond instead of once per line. */
let lastNow = Number.NaN
let lastTime = ''
function epochTime(): string {
  const now = Date.now()
  if (now !== lastNow) {
    lastNow = now
    lastTime = `,"time":${now}`
  }
  return lastTime
}

/** The parts of a pino logger the line is written with (read per call: `setBindings` may change the bindings). */
type PinoParts = Record<symbol, unknown> & { [pino.symbols.streamSym]?: { write?: (line: string) => unknown } }

const isPino = (log: Logger): log is PinoLogger => typeof (log as Partial<PinoLogger>).isLevelEnabled === 'function'

/**
 * Serialize `fields` (names are the code's own identifiers, never input) at info; undefined values are left out. A
 * logger that is not pino's (a test's recorder, the silent logger) gets the fields through its own `info`.
 */
export function logFlatLine<T extends { readonly [K in keyof T]: FlatValue }>(log: Logger, fields: T, msg: string): void {
  if (!isPino(log)) {
    log.info(fields, msg)
    return
  }
  if (!log.isLevelEnabled('info')) return
  const parts = log as unknown as PinoParts
  const stream = parts[pino.symbols.streamSym]
  const chindings = parts[pino.symbols.chindingsSym]
  const time = parts[pino.symbols.timeSym]
  if (typeof stream?.write !== 'function' || typeof chindings !== 'string' || typeof time !== 'function') {
    log.info(fields as object, msg)
    return
  }
  const timeText = time === pino.stdTimeFunctions.epochTime ? epochTime() : String(time())
  let line = `{"level":${log.levels.values['info'] ?? 30}${timeText}${chindings}`
  for (const name in fields) {
    const value: unknown = fields[name as keyof T]
    if (value === undefined) continue
    if (name === 'authorization' || name === 'token') line += `,"${name}":${CENSORED}`
    else if (typeof value === 'string') line += `,"${name}":${quoted(value)}`
    else if (typeof value === 'number') line += `,"${name}":${numberText(value)}`
    else if (typeof value === 'boolean') line += `,"${name}":${value}`
    else {
      log.info(fields as object, msg)
      return
    }
  }
  stream.write(`${line},"msg":${quoted(msg)}}\n`)
}
