// CLI: `s2s-gateway metadata --config <file>`: print the metadata document the gateway would publish, as
// GET /metadata/json/1 serves it (only the id differs per build).
import { resolve } from 'node:path'
import { loadConfigFile } from '../config/index.js'
import { buildMetadataDocument, loadIssuerKeys } from '../issuer/index.js'
import { EXIT, parseFlags, requireFlag, writeLine, type CliIo } from './io.js'
import { runCommand, writeWarnings } from './command.js'

export const METADATA_USAGE = `Usage: s2s-gateway metadata --config <file.yaml>

Print the authentication metadata document (JSON) the gateway publishes at /metadata/json/1, for the
configuration given: service identity and every unexpired issuer certificate.

Options:
  -c, --config <file>  configuration file (YAML); \${NAME} references are read from the environment
  -h, --help           show this help
`

export async function metadataCommand(argv: string[], io: CliIo): Promise<number> {
  const spec = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } as const
  return runCommand({ name: 'metadata', usage: METADATA_USAGE, flags: spec }, argv, io, async () => {
    const flags = parseFlags(argv, spec)
    const file = resolve(requireFlag(flags.config, '--config'))
    const now = io.now ?? Date.now
    const { config, warnings } = loadConfigFile(file, { env: io.env, now })
    writeWarnings(io, warnings)
    const keys = loadIssuerKeys(config.issuer, now())
    writeLine(io.stdout, JSON.stringify(buildMetadataDocument(config.service, keys.published), null, 2))
    return EXIT.ok
  })
}
