// Logging: where the process logger writes. stdout through sonic-boom (pino's own asynchronous writer), with lines
// gathered first (logging.bufferBytes): sonic-boom measures its whole pending buffer (Buffer.byteLength) on every
// write, which made one access line cost 4-6 µs of CPU in writing alone, and each separate write is a thread-pool
// round trip. Gathered, a line costs an array push; a batch is written once `bufferBytes` wait, or a second after its
// first line, and whatever waits is written synchronously when the process exits.
import { writeSync } from 'node:fs'
import type { DestinationStream } from 'pino'
import pino from 'pino'

/** What a batch is handed to: sonic-boom in production, a recorder in tests. */
export interface LineSink {
  write(text: string): unknown
  flushSync?(): void
}

export interface LineBatcher extends DestinationStream {
  /** Hand every waiting line to the sink now. */
  flush(): void
  /** Every waiting line as one text ('' when none), no longer waiting: for a write the caller makes itself. */
  take(): string
}

/** Lines wait at most this long before they are written (a quiet gateway's lines are not held back). */
export const FLUSH_AFTER_MS = 1000

/**
 * Gather lines until `bufferBytes` (counted in UTF-16 units: log lines are ASCII but for user names, and the bound
 * only decides when to write) wait or `flushAfterMs` passed since the first of them; then one write to `sink`.
 */
export function createLineBatcher(sink: LineSink, bufferBytes: number, flushAfterMs = FLUSH_AFTER_MS): LineBatcher {
  let waiting: string[] = []
  let size = 0
  let timer: NodeJS.Timeout | undefined
  const take = (): string => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const text = waiting.length === 1 ? (waiting[0] as string) : waiting.join('')
    waiting = []
    size = 0
    return text
  }
  const flush = (): void => {
    if (waiting.length > 0) sink.write(take())
  }
  return {
    write(line: string) {
      waiting.push(line)
      size += line.length
      if (size >= bufferBytes) flush()
      else if (timer === undefined) {
        timer = setTimeout(flush, flushAfterMs)
        timer.unref()
      }
    },
    flush,
    take,
  }
}

/** stdout for the process logger: sonic-boom, behind a line batcher unless `bufferBytes` is 0. */
export function stdoutDestination(bufferBytes: number): DestinationStream {
  const sonic = pino.destination({ dest: 1, sync: false })
  if (bufferBytes <= 0) return sonic
  const batcher = createLineBatcher(sonic, bufferBytes)
  // On exit, after pino's own hook has written what sonic-boom held: what still waits here, synchronously (handed to
  // sonic-boom, it would become an asynchronous write that the exiting process may never finish).
  process.once('exit', () => {
    const text = batcher.take()
    try {
      if (text !== '') writeSync(1, text)
    } catch {
      // stdout gone: nothing more can be written
    }
  })
  return batcher
}
