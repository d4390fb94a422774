// CLI: dispatch `s2s-gateway <command> ...` to the command functions. Returns the exit code; never exits,
// so tests drive the whole CLI in-process (index.ts does the process.exit).
import { versionLine } from '../build-info.js'
import { EXIT, writeLine, type CliIo } from './io.js'
import { serveCommand } from './serve.js'
import { demoCommand } from './demo-command.js'
import { checkConfigCommand } from './check-config.js'
import { certCommand } from './cert.js'
import { metadataCommand } from './metadata.js'
import { tokenCommand } from './token.js'
import { partnerCommand } from './partner.js'
import { testPartnerCommand } from './test-partner.js'
import { accessCommand } from './access-explain.js'

export const USAGE = `Usage: s2s-gateway <command> [options]

Commands:
  serve --config <file> [--watch]
                                run the gateway (--watch: reload when the file changes)
  demo                          run a throw-away gateway, backend and partner on loopback (npm start)
  check-config --config <file>  validate a configuration and print every problem
  check-config --print-defaults print every option with its default, as commented YAML
  check-config --print-example  print the documented example configuration
  cert create --cert <pem> --key <key>
                                create a self-signed token-signing certificate and print its x5t
  metadata --config <file>      print the metadata document the gateway publishes
  token mint --key <key> --cert <pem> --issuer <id@realm> --audience <id/host@realm>
                                print a signed S2S token (app-only, or user context with --user-*)
  token inspect [<token>|-] [--config <file>] [--at <time>]
                                decode a token; with --config, say which validation step rejects it
  partner add|list|remove --config <file> ...
                                register partners by metadata URL (or id, realm, certificate), keeping
                                the file's comments
  access explain --config <file> --partner <name> --method <M> --path <path> [--app | --user-* ...]
                                say whether a partner may make a request, and which rule decides
  test-partner --config <file> --name <partner>
                                check a partnership end to end, step by step

Run 's2s-gateway <command> --help' for a command's options; 's2s-gateway --version' for the version and commit.
Exit codes: 0 success, 1 runtime failure, 2 usage error, 78 configuration error.
`

type CommandFn = (argv: string[], io: CliIo) => Promise<number>

const COMMANDS: Readonly<Record<string, CommandFn>> = {
  serve: serveCommand,
  demo: demoCommand,
  'check-config': checkConfigCommand,
  cert: certCommand,
  metadata: metadataCommand,
  token: tokenCommand,
  partner: partnerCommand,
  'test-partner': testPartnerCommand,
  access: accessCommand,
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE)
    return EXIT.ok
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    writeLine(io.stdout, versionLine())
    return EXIT.ok
  }
  const command = name === undefined || !Object.hasOwn(COMMANDS, name) ? undefined : COMMANDS[name]
  if (command === undefined) {
    writeLine(io.stderr, name === undefined ? 's2s-gateway: missing command' : `s2s-gateway: unknown command "${name}"`)
    io.stderr.write(USAGE)
    return EXIT.usage
  }
  return command(rest, io)
}
