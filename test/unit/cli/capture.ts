// Test helper: an in-memory CliIo, so commands run in-process and their output can be asserted.
import type { CliIo } from '../../../src/cli/io.js'

export interface CapturedIo extends CliIo {
  out: () => string
  err: () => string
}

export function captureIo(env: Record<string, string> = {}, now?: () => number): CapturedIo {
  let out = ''
  let err = ''
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env,
    ...(now === undefined ? {} : { now }),
    out: () => out,
    err: () => err,
  }
}
