// CLI: `s2s-gateway serve --config <file>`: hands over to main.ts, which listens until SIGTERM.
import { resolve } from 'node:path'
import { EXIT, parseFlags, requireFlag, type CliIo } from './io.js'
import { runCommand } from './command.js'

export const SERVE_USAGE = `Usage: s2s-gateway serve --config <file.yaml> [--watch]

Run the gateway: the inbound listener (proxied routes and /metadata/json/1) and the admin listener.
SIGHUP (or POST /reload on the admin listener) reloads the configuration; a file with problems is refused
and the running configuration keeps serving. SIGTERM drains in-flight requests, then exits.

Options:
  -c, --config <file>  configuration file (YAML); \${NAME} references are read from the environment
  -w, --watch          also reload when the configuration file changes
  -h, --help           show this help
`

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const spec = { config: { type: 'string', short: 'c' }, watch: { type: 'boolean', short: 'w' }, help: { type: 'boolean', short: 'h' } } as const
  return runCommand({ name: 'serve', usage: SERVE_USAGE, flags: spec }, argv, io, async () => {
    const flags = parseFlags(argv, spec)
    const configPath = resolve(requireFlag(flags.config, '--config'))
    // Loaded lazily: the other commands should not pay for (or depend on) the server's modules.
    const { serve } = await import('../main.js')
    await serve({ configPath, env: io.env, watch: flags.watch === true })
    return EXIT.ok
  })
}
