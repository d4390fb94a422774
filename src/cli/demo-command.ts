// CLI: `s2s-gateway demo` (what `npm start` runs): hands over to demo.ts, which keeps running until Ctrl-C.
import { EXIT, parseFlags, type CliIo } from './io.js'
import { runCommand } from './command.js'

export const DEMO_USAGE = `Usage: s2s-gateway demo

Start a throw-away gateway, echo backend and demo partner on loopback (certificates in a temp folder),
send an app-only and a user-context request through it, and print a ready-to-paste curl line.
`

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'demo', usage: DEMO_USAGE }, argv, io, async () => {
    parseFlags(argv, { help: { type: 'boolean', short: 'h' } })
    const { runDemo } = await import('./demo.js')
    await runDemo((line = '') => io.stdout.write(`${line}\n`))
    return EXIT.ok
  })
}
