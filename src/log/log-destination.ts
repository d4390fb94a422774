// Logging: where the process logger writes. stdout through sonic-boom (pino's own asynchronous writer), with lines
// gathered first (logging.bufferBytes) as the bytes they will be written as (line-batch.ts): sonic-boom measures its
// whole pending text (Buffer.byteLength) on every write and converts it to UTF-8 again when it writes, which made
// one access line cost 4-6 µs of CPU in writing alone, and each separate write is a thread-pool round trip. What
// waits for stdout is bounded (logging.maxPendingBytes): past it lines are dropped, counted and reported.
import { writeSync } from 'node:fs'
import type { EventEmitter } from 'node:events'
import type { DestinationStream } from 'pino'
import pino from 'pino'
import { LineBatch, type LineSink } from './line-batch.js'

export interface StdoutOptions {
  /** logging.bufferBytes: 0 writes every line at once. */
  bufferBytes: number
  /** logging.maxPendingBytes: what may wait for stdout before lines are dropped. */
  maxPendingBytes: number
}

/**
 * Told how many lines (and bytes) were dropped since the last report, once stdout takes lines again, and how many
 * since start: a report is a line too, and may be dropped in turn, so the total is what never loses count.
 */
export type DropReport = (lines: number, bytes: number, totalLines: number) => void

function linesIn(data: string | Buffer): number {
  let lines = 0
  if (typeof data === 'string') for (let at = data.indexOf('\n'); at !== -1; at = data.indexOf('\n', at + 1)) lines++
  else for (const byte of data) if (byte === 0x0a) lines++
  return lines
}

/**
 * Writes to `sonic` (created with `maxLength`), which drops a write that would take what waits for stdout past it: a
 * stalled reader of stdout must not grow the gateway's memory without bound. The dropped lines are counted, and the
 * count reported once a write is taken again.
 */
export function countingDrops<T extends string | Buffer>(sonic: EventEmitter & { write(data: T): unknown }, report: DropReport): (data: T) => void {
  let lines = 0
  let bytes = 0
  let totalLines = 0
  let dropped = false
  sonic.on('drop', (data: T) => {
    const count = linesIn(data)
    dropped = true
    lines += count
    totalLines += count
    bytes += Buffer.byteLength(data)
  })
  return (data) => {
    dropped = false
    sonic.write(data)
    if (dropped || bytes === 0) return
    const [droppedLines, droppedBytes] = [lines, bytes]
    lines = 0
    bytes = 0
    report(droppedLines, droppedBytes, totalLines)
  }
}

/** stdout for the process logger: sonic-boom, behind a line batch unless `bufferBytes` is 0, bounded by `maxPendingBytes`. */
export function stdoutDestination({ bufferBytes, maxPendingBytes }: StdoutOptions, report: DropReport): DestinationStream {
  if (bufferBytes <= 0) {
    const sonic = pino.destination({ dest: 1, sync: false, maxLength: maxPendingBytes })
    const unbatched: DestinationStream & Pick<LineSink, 'flush'> = { write: countingDrops<string>(sonic, report), flush: (done) => sonic.flush(done) }
    return unbatched // pino's logger.flush(cb) reaches sonic-boom's flush through it
  }
  // In its buffer mode sonic-boom writes the Buffers it is given (its typings know only strings).
  const sonic = pino.destination({ dest: 1, sync: false, contentMode: 'buffer', maxLength: maxPendingBytes }) as unknown as LineSink & EventEmitter & { write(bytes: Buffer): unknown }
  const batcher = new LineBatch({ write: countingDrops<Buffer>(sonic, report), flush: (done) => sonic.flush?.(done) }, bufferBytes)
  // On exit, after pino's own hook has written what sonic-boom held: what still waits here, synchronously (handed to
  // sonic-boom, it would become an asynchronous write that the exiting process may never finish).
  process.once('exit', () => {
    const bytes = batcher.take()
    try {
      if (bytes.length > 0) writeSync(1, bytes)
    } catch {
      // stdout gone: nothing more can be written
    }
  })
  return batcher
}
