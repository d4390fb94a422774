// CLI: `s2s-gateway partner add`: register a partner like New-CsPartnerApplication -MetadataUrl, or manually by
// application id, realm and certificate. Fetches and shows what the partner publishes, refuses an unreachable or
// unusable document, and writes the entry into the YAML file keeping its comments (partner-yaml.ts).
import { readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve, dirname } from 'node:path'
import { CertificateError, parseSigningCertificate } from '../certs/index.js'
import { isGuid } from '../config/index.js'
import { loadConfigFile, loadConfigText } from '../config/index.js'
import type { GatewayConfig } from '../schema/index.js'
import { ConfigError } from '../config/index.js'
import { fetchMetadataDocument, MetadataError, MetadataFetchError, parseMetadataDocument, type ParsedMetadata } from '../partners/index.js'
import type { SigningKey } from '../certs/index.js'
import { runCommand, writeProblems, writeWarnings } from './command.js'
import { EXIT, UsageError, parseFlags, requireFlag, writeLine, type CliIo } from './io.js'
import { PARTNER_USAGE } from './partner-usage.js'
import { validityOf, writeCertificate } from './partner-show.js'
import { addPartnerEntry, findPartnerIndex, readConfigDocument, writeFileAtomic } from './partner-yaml.js'

const str = { type: 'string' } as const
const bool = { type: 'boolean' } as const
const FLAGS = {
  config: { type: 'string', short: 'c' }, name: str, trust: str, 'metadata-url': str, 'allow-http': bool,
  'application-id': str, realm: str, certificate: str, 'outbound-url': str, 'act-as-users': bool, 'dry-run': bool, 'ca-file': str,
  help: { type: 'boolean', short: 'h' },
} as const

type Flags = ReturnType<typeof parseFlags<typeof FLAGS>>

/** What the new entry says, and what to show about it. */
interface Registration {
  entry: Record<string, unknown>
  keys: SigningKey[]
  issuer: string
  warnings: string[]
}

/** A refusal with a message of its own (exit 1), not a stack trace. */
class Refused extends Error {}

export async function partnerAddCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'partner add', usage: PARTNER_USAGE, flags: FLAGS }, argv, io, async () => {
    const flags = parseFlags(argv, FLAGS)
    const file = resolve(requireFlag(flags.config, '--config'))
    const name = requireFlag(flags.name, '--name')
    const trust = requireFlag(flags.trust, '--trust')
    if (trust !== 'full' && trust !== 'application') throw new UsageError('--trust must be full or application')
    const byUrl = flags['metadata-url'] !== undefined
    const manual = flags['application-id'] !== undefined || flags.realm !== undefined || flags.certificate !== undefined
    if (byUrl === manual) throw new UsageError('give either --metadata-url, or --application-id, --realm and --certificate')
    // Issue 15: these were silently dropped in the manual form. allowHttp and tls apply to a metadata URL only
    // (an http --outbound-url needs no flag: it is accepted for a loopback host, refused elsewhere).
    if (!byUrl && flags['allow-http'] === true) throw new UsageError('--allow-http applies to --metadata-url only')
    if (!byUrl && flags['ca-file'] !== undefined) throw new UsageError('--ca-file applies to --metadata-url only')
    const now = io.now ?? Date.now
    const { config } = loadConfigFile(file, { env: io.env, now })
    const source = readConfigDocument(file)
    if (findPartnerIndex(source.doc, name) !== -1) {
      writeLine(io.stderr, `s2s-gateway partner add: a partner named "${name}" is already registered in ${file}; remove it first or choose another --name`)
      return EXIT.failure
    }
    let registration: Registration
    try {
      registration = byUrl ? await byMetadata(flags, config, file, io) : manualRegistration(flags, file, now())
    } catch (err) {
      if (!(err instanceof Refused)) throw err
      writeLine(io.stderr, `s2s-gateway partner add: ${err.message}`)
      return EXIT.failure
    }
    show(io, name, trust, registration, now())
    const entry = { name, ...registration.entry, trustLevel: trust, ...outboundOf(flags) }
    const text = addPartnerEntry(source, entry, `${name}: added by s2s-gateway partner add on ${new Date(now()).toISOString().slice(0, 10)} (issuer ${registration.issuer})`)
    try {
      writeWarnings(io, loadConfigText(text, file, { env: io.env, now }).warnings, 'stdout')
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      writeProblems(io, err, `s2s-gateway partner add: ${file} would not load with this partner, left unchanged: `)
      return EXIT.config
    }
    if (flags['dry-run'] === true) {
      writeLine(io.stdout, `dry run: ${file} left unchanged; it would read:`)
      io.stdout.write(text)
      return EXIT.ok
    }
    writeFileAtomic(file, text)
    writeLine(io.stdout, `added partner "${name}" to ${file}; reload the gateway (SIGHUP, POST /reload) to apply it`)
    return EXIT.ok
  })
}

function outboundOf(flags: Flags): Record<string, unknown> {
  const url = flags['outbound-url']
  if (url === undefined) {
    if (flags['act-as-users'] === true) throw new UsageError('--act-as-users needs --outbound-url')
    return {}
  }
  return { outbound: { url, ...(flags['act-as-users'] === true ? { actAsUsers: true } : {}) } }
}

async function byMetadata(flags: Flags, config: GatewayConfig, file: string, io: CliIo): Promise<Registration> {
  const url = flags['metadata-url'] ?? ''
  const allowHttp = flags['allow-http'] === true
  const caFile = flags['ca-file'] === undefined ? undefined : resolve(flags['ca-file'])
  let caPem: string | undefined
  try {
    caPem = caFile === undefined ? undefined : readFileSync(caFile, 'utf8')
  } catch (err) {
    throw new Refused(`cannot read ${caFile ?? ''}: ${err instanceof Error ? err.message : String(err)}`)
  }
  writeLine(io.stdout, `fetching ${url}`)
  let parsed: ParsedMetadata
  try {
    const doc = await fetchMetadataDocument(url, {
      timeoutMs: config.metadata.timeoutMs, maxBytes: config.metadata.maxBytes, allowHttp, insecureSkipVerify: false, ...(caPem === undefined ? {} : { caPem }),
    })
    parsed = parseMetadataDocument(doc)
  } catch (err) {
    if (err instanceof MetadataFetchError) throw new Refused(`cannot fetch ${url}: ${err.message}; nothing was written`)
    if (err instanceof MetadataError) throw new Refused(`${url} is not a usable metadata document: ${err.message}; nothing was written`)
    throw err
  }
  const { id, realm } = parsed.identity
  if (id === config.service.id) throw new Refused(`${url} is our own metadata document (issuer ${id}@${realm}); the gateway never trusts itself`)
  const entry: Record<string, unknown> = { metadataUrl: url, applicationId: id, realm }
  if (allowHttp) entry['allowHttp'] = true
  if (caFile !== undefined) entry['tls'] = { caFile: configRelative(file, caFile) }
  return { entry, keys: parsed.keys, issuer: `${id}@${realm}`, warnings: parsed.warnings }
}

function manualRegistration(flags: Flags, file: string, nowMs: number): Registration {
  const applicationId = requireFlag(flags['application-id'], '--application-id').toLowerCase()
  const realm = requireFlag(flags.realm, '--realm').toLowerCase()
  const certFile = resolve(requireFlag(flags.certificate, '--certificate'))
  let key: SigningKey
  try {
    key = parseSigningCertificate(readFileSync(certFile, 'latin1'))
  } catch (err) {
    const reason = err instanceof CertificateError ? err.message : err instanceof Error ? err.message : String(err)
    throw new Refused(`cannot use ${certFile}: ${reason}; nothing was written`)
  }
  const warnings = isGuid(applicationId) ? [] : [`--application-id ${applicationId} is not a GUID; Exchange, Lync and SharePoint ids are`]
  if (key.notAfter <= nowMs) throw new Refused(`${certFile} expired on ${new Date(key.notAfter).toISOString()}; ask the partner for its current certificate`)
  return { entry: { applicationId, realm, certificates: [configRelative(file, certFile)] }, keys: [key], issuer: `${applicationId}@${realm}`, warnings }
}

/** A path relative to the config file when it lives under its folder (so the pair can move together), else absolute. */
function configRelative(file: string, path: string): string {
  const fromConfig = relative(dirname(file), path)
  return fromConfig.startsWith('..') || isAbsolute(fromConfig) ? path : fromConfig
}

function show(io: CliIo, name: string, trust: string, r: Registration, nowMs: number): void {
  writeLine(io.stdout, `partner ${name}`)
  writeLine(io.stdout, `  issuer      ${r.issuer}`)
  writeLine(io.stdout, `  realm       ${r.issuer.slice(r.issuer.lastIndexOf('@') + 1)}`)
  writeLine(io.stdout, `  trust       ${trust}`)
  for (const key of r.keys) writeCertificate(io.stdout, key, nowMs)
  for (const warning of r.warnings) writeLine(io.stdout, `warning: ${warning}`)
  if (r.keys.every((key) => validityOf(key, nowMs) === 'EXPIRED')) writeLine(io.stdout, 'warning: every certificate has expired')
}
