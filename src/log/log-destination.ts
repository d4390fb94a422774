// Logging: where the process logger writes. stdout through sonic-boom (pino's own asynchronous writer), with lines
// gathered first (logging.bufferBytes) as the bytes they will be written as (line-batch.ts): sonic-boom measures its
// whole pending text (Buffer.byteLength) on every write and converts it to UTF-8 again when it writes, which made
// one access line cost 4-6 µs of CPU in writing alone, and each separate write is a thread-pool round trip.
import { writeSync } from 'node:fs'
import type { DestinationStream } from 'pino'
import pino from 'pino'
import { LineBatch, type LineSink } from './line-batch.js'

/** stdout for the process logger: sonic-boom, behind a line batcher unless `bufferBytes` is 0. */
export function stdoutDestination(bufferBytes: number): DestinationStream {
  if (bufferBytes <= 0) return pino.destination({ dest: 1, sync: false })
  // In its buffer mode sonic-boom writes the Buffers it is given (its typings know only strings).
  const sonic = pino.destination({ dest: 1, sync: false, contentMode: 'buffer' }) as unknown as LineSink
  const batcher = new LineBatch(sonic, bufferBytes)
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
