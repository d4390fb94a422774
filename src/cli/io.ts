// CLI: what every command receives instead of touching process.*, so tests call commands directly; and the
// exit codes they return (index.ts is the only place that exits).
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Env } from '../config/index.js'

export interface Writer {
  write(text: string): unknown
}

export interface CliIo {
  stdout: Writer
  stderr: Writer
  /** Where `${NAME}` config references are resolved. index.ts passes process.env. */
  env: Env
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number
  /** Standard input, for commands that read it (`token inspect -`). index.ts passes process.stdin. */
  stdin?: AsyncIterable<string | Buffer>
}

/** Exit codes, documented in index.ts. */
export const EXIT = { ok: 0, failure: 1, usage: 2, config: 78 } as const

/** A bad command line: the command prints the message and a pointer to --help, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>

/**
 * True when the user asked for help among the flags: --help or -h, but not as the value of a string flag
 * (`--name -h` is that flag's value, which parseFlags then refuses as ambiguous). `options`: the command's flags.
 */
export function wantsHelp(argv: readonly string[], options: Options = {}): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--') return false
    if (arg === '--help' || arg === '-h') return true
    if (takesValue(arg, options)) i++
  }
  return false
}

function takesValue(arg: string, options: Options): boolean {
  if (arg.startsWith('--')) return !arg.includes('=') && options[arg.slice(2)]?.type === 'string'
  if (/^-[^-]$/.test(arg)) return Object.values(options).some((o) => o.short === arg[1] && o.type === 'string')
  return false
}

/** node:util parseArgs, strict: unknown flags, missing values and stray arguments become a UsageError. */
export function parseFlags<const T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
}

/** A flag the command cannot do without. */
export function requireFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`)
  return value
}

/** A whole number within [min, max], from a flag's text. */
export function integerFlag(value: string | undefined, flag: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}`)
  return n
}

export function writeLine(writer: Writer, line = ''): void {
  writer.write(`${line}\n`)
}
