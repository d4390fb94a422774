// CLI: `s2s-gateway partner add|list|remove`. add lives in partner-add.ts; list reads the file through the
// loader (no network); remove edits it like add does (partner-yaml.ts), keeping comments.
import { resolve } from 'node:path'
import { loadConfigFile, loadConfigText } from '../config/index.js'
import { ConfigError } from '../config/index.js'
import { runCommand, writeProblems, writeWarnings } from './command.js'
import { EXIT, UsageError, parseFlags, requireFlag, writeLine, type CliIo } from './io.js'
import { partnerAddCommand } from './partner-add.js'
import { partnerSummary } from './partner-show.js'
import { PARTNER_USAGE } from './partner-usage.js'
import { readConfigDocument, removePartnerEntry, writeFileAtomic } from './partner-yaml.js'

export { PARTNER_USAGE } from './partner-usage.js'

const SUBCOMMANDS = 'add, list, remove'
const REMOVE_FLAGS = { config: { type: 'string', short: 'c' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const

export async function partnerCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'add') return partnerAddCommand(rest, io)
  if (sub === 'list') return partnerListCommand(rest, io)
  if (sub === 'remove') return partnerRemoveCommand(rest, io)
  return runCommand({ name: 'partner', usage: PARTNER_USAGE }, argv, io, async () => {
    throw new UsageError(sub === undefined ? `missing subcommand (${SUBCOMMANDS})` : `unknown subcommand "${sub}" (${SUBCOMMANDS})`)
  })
}

export async function partnerListCommand(argv: string[], io: CliIo): Promise<number> {
  const spec = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } as const
  return runCommand({ name: 'partner list', usage: PARTNER_USAGE, flags: spec }, argv, io, async () => {
    const flags = parseFlags(argv, spec)
    const file = resolve(requireFlag(flags.config, '--config'))
    const { config, warnings } = loadConfigFile(file, { env: io.env, ...(io.now === undefined ? {} : { now: io.now }) })
    writeWarnings(io, warnings)
    if (config.partners.length === 0) writeLine(io.stdout, `no partners in ${file}`)
    for (const partner of config.partners) for (const line of partnerSummary(partner)) writeLine(io.stdout, line)
    return EXIT.ok
  })
}

export async function partnerRemoveCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'partner remove', usage: PARTNER_USAGE, flags: REMOVE_FLAGS }, argv, io, async () => {
    const flags = parseFlags(argv, REMOVE_FLAGS)
    const file = resolve(requireFlag(flags.config, '--config'))
    const name = requireFlag(flags.name, '--name')
    const now = io.now ?? Date.now
    const text = removePartnerEntry(readConfigDocument(file), name)
    if (text === undefined) {
      writeLine(io.stderr, `s2s-gateway partner remove: no partner named "${name}" in ${file}`)
      return EXIT.failure
    }
    try {
      writeWarnings(io, loadConfigText(text, file, { env: io.env, now }).warnings, 'stdout')
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      writeProblems(io, err, `s2s-gateway partner remove: ${file} would not load without this partner, left unchanged: `)
      return EXIT.config
    }
    writeFileAtomic(file, text)
    writeLine(io.stdout, `removed partner "${name}" from ${file}; reload the gateway (SIGHUP, POST /reload) to apply it`)
    return EXIT.ok
  })
}
