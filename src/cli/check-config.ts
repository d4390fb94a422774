// CLI: `s2s-gateway check-config`: validate a file offline and print every problem at once, or print the
// documented defaults / example generated from schema/schema.ts.
import { resolve } from 'node:path'
import { ConfigError, loadConfigFile } from '../config/index.js'
import { renderExampleYaml } from '../schema/index.js'
import { renderDefaultsYaml } from '../schema/index.js'
import { EXIT, UsageError, parseFlags, writeLine, type CliIo } from './io.js'
import { runCommand, writeProblems, writeWarnings } from './command.js'

export const CHECK_CONFIG_USAGE = `Usage: s2s-gateway check-config --config <file.yaml>
       s2s-gateway check-config --print-defaults
       s2s-gateway check-config --print-example

Validate a configuration without starting anything: unknown keys, types, ranges, certificate and key files.
Prints every problem as "path: reason" (exit 78), or "ok" and any warnings (exit 0).

Options:
  -c, --config <file>  configuration file (YAML); \${NAME} references are read from the environment
  --print-defaults     print every option with its default and a comment, as YAML
  --print-example      print the documented example configuration (config/gateway.example.yaml)
  -h, --help           show this help
`

const FLAGS = {
  config: { type: 'string', short: 'c' },
  'print-defaults': { type: 'boolean' },
  'print-example': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export async function checkConfigCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'check-config', usage: CHECK_CONFIG_USAGE, flags: FLAGS }, argv, io, async () => {
    const flags = parseFlags(argv, FLAGS)
    const chosen = [flags.config !== undefined, flags['print-defaults'] === true, flags['print-example'] === true]
    if (chosen.filter(Boolean).length !== 1) {
      throw new UsageError('give exactly one of --config <file>, --print-defaults or --print-example')
    }
    if (flags['print-defaults'] === true) return print(io, renderDefaultsYaml())
    if (flags['print-example'] === true) return print(io, renderExampleYaml())
    const file = resolve(flags.config ?? '')
    try {
      const { warnings } = loadConfigFile(file, { env: io.env, ...(io.now === undefined ? {} : { now: io.now }) })
      writeWarnings(io, warnings, 'stdout')
      writeLine(io.stdout, `ok: ${file}`)
      return EXIT.ok
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      writeProblems(io, err, `${file}: `, 'stdout')
      return EXIT.config
    }
  })
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text)
  return EXIT.ok
}
