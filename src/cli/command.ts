// CLI: the frame every command runs in: --help, and the mapping of failures to exit codes and messages
// (UsageError -> 2, ConfigError -> 78 with every problem, anything else -> 1).
import { ConfigError, formatProblem } from '../config/index.js'
import { EXIT, UsageError, wantsHelp, writeLine, type CliIo, type Options } from './io.js'

export interface CommandSpec {
  /** As typed after `s2s-gateway`, e.g. "cert create". */
  name: string
  usage: string
  /** The command's flags, so that `-h` given as a flag's value is not read as a request for help. */
  flags?: Options
}

export async function runCommand(spec: CommandSpec, argv: string[], io: CliIo, body: () => Promise<number>): Promise<number> {
  if (wantsHelp(argv, spec.flags)) {
    io.stdout.write(spec.usage)
    return EXIT.ok
  }
  try {
    return await body()
  } catch (err) {
    return reportFailure(spec.name, err, io)
  }
}

export function reportFailure(name: string, err: unknown, io: CliIo): number {
  const prefix = `s2s-gateway ${name}`
  if (err instanceof UsageError) {
    writeLine(io.stderr, `${prefix}: ${err.message}`)
    writeLine(io.stderr, `Run '${prefix} --help' for usage.`)
    return EXIT.usage
  }
  if (err instanceof ConfigError) {
    writeProblems(io, err, `${prefix}: `)
    return EXIT.config
  }
  writeLine(io.stderr, `${prefix}: ${err instanceof Error ? err.message : String(err)}`)
  return EXIT.failure
}

/** "N configuration problem(s):" and one indented `path: reason` line each. */
export function writeProblems(io: CliIo, err: ConfigError, prefix = '', to: 'stdout' | 'stderr' = 'stderr'): void {
  const n = err.problems.length
  writeLine(io[to], `${prefix}${n} configuration problem${n === 1 ? '' : 's'}:`)
  for (const problem of err.problems) writeLine(io[to], `  ${formatProblem(problem)}`)
}

export function writeWarnings(io: CliIo, warnings: readonly string[], to: 'stdout' | 'stderr' = 'stderr'): void {
  for (const warning of warnings) writeLine(io[to], `warning: ${warning}`)
}
