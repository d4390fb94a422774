#!/usr/bin/env node
// CLI entry point (package.json bin -> dist/cli/index.js). The only place that reads process.argv/env and
// exits; everything else is in run.ts and the command files, which return an exit code.
//
// Exit codes:
//   0   success (serve and demo keep running until SIGTERM/Ctrl-C, then exit 0)
//   1   runtime failure (a file cannot be written or read, a server cannot listen, ...)
//   2   usage error (unknown command or flag, missing or malformed argument)
//   78  configuration error (EX_CONFIG): the file has problems; every one is printed as "path: reason"
import { runCli } from './run.js'

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin }

let code: number
try {
  code = await runCli(process.argv.slice(2), io)
} catch (err) {
  process.stderr.write(`s2s-gateway: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  code = 1
}

if (code === 0) {
  // Let the event loop drain: serve and demo keep listening; one-shot commands end by themselves.
  process.exitCode = 0
} else {
  // Flush what was written to pipes before exiting, or the problem list could be cut short.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
}
