// Log: one line of flat fields, serialized by hand: into the stdout batch's bytes (line-batch.ts), or as one string
// handed to the logger's own stream. The access line is written once per request, and pino's general path (hooks,
// per-key serializer lookups, the scrub's object walk, its JSON) measured 3.7–4.1 µs for it (issue 11). The line is
// byte for byte what pino writes for the same object: level, pino's time, the logger's bindings, the fields in order,
// msg (but for a lone surrogate, escaped here as JSON.stringify does, where pino writes it raw and UTF-8 cannot hold
// it). The second line of defence holds as in pino's path (a field named authorization or token is censored); a
// value that is not a string, number or boolean takes pino's path with its full scrub, and a logger that is not
// pino's gets the fields through its own `info`.
import pino, { type Logger as PinoLogger } from 'pino'
import { LineText, type LineOut } from './json-text.js'
import { LineBatch } from './line-batch.js'
import type { Logger } from './logger.js'

export type FlatValue = string | number | boolean | undefined

const CENSORED = '"[redacted]"'

/** The parts of a pino logger the line is written with (read per call: `setBindings` may change the bindings). */
type PinoParts = Record<symbol, unknown> & { [pino.symbols.streamSym]?: { write?: (line: string) => unknown } }

const isPino = (log: Logger): log is PinoLogger => typeof (log as Partial<PinoLogger>).isLevelEnabled === 'function'

/**
 * The line's pieces, in pino's order; false (the line unfinished) at a value that is not a string, number or boolean.
 * Field names are the code's own identifiers (ASCII), never input.
 */
function writeLine(out: LineOut, level: number, time: number | string, chindings: string, fields: { readonly [name: string]: unknown }, msg: string): boolean {
  out.ascii('{"level":')
  out.number(level)
  if (typeof time === 'number') {
    out.ascii(',"time":')
    out.number(time)
  } else out.text(time)
  out.text(chindings)
  for (const name in fields) {
    const value = fields[name]
    if (value === undefined) continue
    out.ascii(',"')
    out.ascii(name)
    out.ascii('":')
    if (name === 'authorization' || name === 'token') out.ascii(CENSORED)
    else if (typeof value === 'string') out.quoted(value)
    else if (typeof value === 'number') out.number(value)
    else if (typeof value === 'boolean') out.ascii(value ? 'true' : 'false')
    else return false
  }
  out.ascii(',"msg":')
  out.quoted(msg)
  out.ascii('}\n')
  return true
}

/**
 * Serialize `fields` (names are the code's own identifiers, never input) at info; undefined values are left out.
 * Into the batch's bytes when the logger writes to the stdout batch, else as one string to its stream. A logger
 * that is not pino's (a test's recorder, the silent logger) gets the fields through its own `info`.
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
  const level = log.levels.values['info'] ?? 30
  const timeValue = time === pino.stdTimeFunctions.epochTime ? Date.now() : String(time()) // pino's default: `,"time":<ms>`
  if (stream instanceof LineBatch) {
    if (writeLine(stream, level, timeValue, chindings, fields, msg)) stream.endLine()
    else {
      stream.dropLine()
      log.info(fields as object, msg)
    }
    return
  }
  const text = new LineText()
  if (writeLine(text, level, timeValue, chindings, fields, msg)) stream.write(text.line)
  else log.info(fields as object, msg)
}
