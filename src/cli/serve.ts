// CLI: `s2s-gateway serve --config <file>`: hands over to main.ts, which listens until SIGTERM.
import { resolve } from 'node:path'
import { EXIT, parseFlags, requireFlag, type CliIo } from './io.js'
import { runCommand } from './command.js'

export const SERVE_USAGE = `Usage: s2s-gateway serve --config <file.yaml>

Run the gateway: the inbound listener (proxied routes and /metadata/json/1) and the admin listener.
SIGHUP reloads the configuration; SIGTERM drains in-flight requests, then exits.

Options:
  -c, --config <file>  configuration file (YAML); \${NAME} references are read from the environment
  -h, --help           show this help
`

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'serve', usage: SERVE_USAGE }, argv, io, async () => {
    const flags = parseFlags(argv, { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } })
    const configPath = resolve(requireFlag(flags.config, '--config'))
    // Loaded lazily: the other commands should not pay for (or depend on) the server's modules.
    const { serve } = await import('../main.js')
    await serve({ configPath, env: io.env })
    return EXIT.ok
  })
}
