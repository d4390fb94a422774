// CLI: `s2s-gateway access explain`: what the gateway would decide for one authenticated request of a partner,
// and why, entry by entry (issue 10). Runs access/'s own decision over the configuration's compiled policy;
// `token inspect --method --path` prints the same lines for a token's partner and user.
import { METHODS } from 'node:http'
import { resolve } from 'node:path'
import { compilePolicy, explainAccess, type AccessRequest, type CompiledPolicy } from '../access/index.js'
import { loadConfigFile } from '../config/index.js'
import type { PartnerConfig } from '../schema/index.js'
import type { GatewayConfig } from '../schema/index.js'
import { findPathProblem } from '../inbound/index.js'
import { runCommand, writeWarnings } from './command.js'
import { EXIT, UsageError, parseFlags, requireFlag, writeLine, type CliIo, type Writer } from './io.js'

export const ACCESS_EXPLAIN_USAGE = `Usage: s2s-gateway access explain --config <file> --partner <name> --method <M> --path <path>
                                 [--user-upn <u>] [--user-smtp <s>] [--user-sip <s>] [--user-nameid <n>] [--app]
                                 [--override <M>]... [--upgrade]

Say what the gateway decides for an authenticated request of that partner, and why: the trust level, every
access.deny entry, then every permission of the partner with the reason it did not match (method, path,
call type, users). A user call needs at least one --user-* flag; --app is an add-in-only call.

Options:
  -c, --config <file>   the configuration
  --partner <name>      partner name (partners[].name)
  --method <M>          request method, e.g. GET, POST, PROPFIND
  --path <path>         request path as sent (a query is ignored, as by the gateway)
  --user-upn, --user-smtp, --user-sip, --user-nameid <value>
                        the user claims of a user call
  --app                 an add-in-only (app) call
  --override <M>        a method named by X-HTTP-Method (or -Override); repeatable
  --upgrade             a WebSocket upgrade request
  -h, --help            show this help

Exit codes: 0 allowed, 1 denied, 2 usage error, 78 configuration error.
`

const str = { type: 'string' } as const
const FLAGS = {
  config: { type: 'string', short: 'c' }, partner: str, method: str, path: str,
  'user-upn': str, 'user-smtp': str, 'user-sip': str, 'user-nameid': str,
  app: { type: 'boolean' }, override: { type: 'string', multiple: true }, upgrade: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const

const ACCEPTED_METHODS: ReadonlySet<string> = new Set(METHODS.filter((m) => m !== 'CONNECT'))

function checkMethod(method: string, flag: string): string {
  if (ACCEPTED_METHODS.has(method)) return method
  const upper = method.toUpperCase()
  throw new UsageError(`${flag} ${method}: ${ACCEPTED_METHODS.has(upper) ? `write ${upper} (methods are case-sensitive)` : 'not a method the gateway accepts'}`)
}

/** Print the decision and its reasons for one request; returns the exit code (0 allowed, 1 denied). */
export function writeAccessExplanation(out: Writer, policy: CompiledPolicy, partner: PartnerConfig, request: AccessRequest): number {
  const user = request.user === undefined ? '' : ` as ${Object.entries(request.user).map(([k, v]) => `${k}=${v}`).join(' ')}`
  writeLine(out, `Request: ${request.method} ${request.path} by ${partner.name}, ${request.callType} call${user}${request.overrides.length > 0 ? `, overrides ${request.overrides.join(', ')}` : ''}${request.upgrade ? ', upgrade' : ''}`)
  const problem = findPathProblem(request.path, { paramDotSegments: true })
  if (problem !== undefined) {
    writeLine(out, `  path guard: refused before authentication (400, ${problem})`)
    writeLine(out, 'DENIED: the path is ambiguous; no permission is consulted')
    return EXIT.failure
  }
  if (request.callType === 'user' && partner.trustLevel !== 'full') {
    writeLine(out, `  trust level: ${partner.trustLevel}: user calls are refused before any permission (403, reason trust_level)`)
    writeLine(out, 'DENIED: a user call to an application-trust partner')
    return EXIT.failure
  }
  writeLine(out, `  trust level: ${partner.trustLevel}: ${request.callType === 'user' ? 'may act for users' : 'app call'}, passes`)
  const explanation = explainAccess(policy, request)
  if (policy.deny.length === 0) writeLine(out, '  access.deny: none configured')
  for (const entry of explanation.entries) {
    writeLine(out, `  ${entry.kind === 'deny' ? 'access.deny' : 'permission'} ${entry.name}: ${entry.text}`)
  }
  if (explanation.unrestricted) writeLine(out, `  permissions: not set for ${partner.name}: unrestricted except access.deny`)
  else if (explanation.entries.every((e) => e.kind === 'deny')) writeLine(out, `  permissions: [] for ${partner.name}: nothing is allowed`)
  const d = explanation.decision
  const shadow = policy.mode === 'shadow' && !d.allowed ? ' (access.mode shadow: the gateway forwards it anyway and logs wouldDeny)' : ''
  if (d.allowed) writeLine(out, d.permission === undefined ? 'ALLOWED: no access.deny entry matched and the partner has no permissions' : `ALLOWED by permission ${d.permission} (sent to the backend as x-s2s-permission)`)
  else if (d.deny !== undefined) writeLine(out, `DENIED by access.deny ${d.deny} (403, reason denied_path)${shadow}`)
  else writeLine(out, `DENIED: no permission matched (403, reason ${d.reason ?? 'permission'})${shadow}`)
  return d.allowed ? EXIT.ok : EXIT.failure
}

function requestFrom(flags: ReturnType<typeof parseExplainFlags>): Omit<AccessRequest, 'partner'> {
  const method = checkMethod(requireFlag(flags.method, '--method'), '--method')
  const path = requireFlag(flags.path, '--path')
  if (!path.startsWith('/')) throw new UsageError('--path must start with /')
  const user: Record<string, string> = {}
  for (const claim of ['upn', 'smtp', 'sip', 'nameid'] as const) {
    const value = flags[`user-${claim}`]
    if (value !== undefined) user[claim] = value
  }
  const isUser = Object.keys(user).length > 0
  if (isUser && flags.app === true) throw new UsageError('--app is an add-in-only call: it takes no --user-* flag')
  if (!isUser && flags.app !== true) throw new UsageError('give --app for an add-in-only call, or --user-* flags for a user call')
  const overrides = (flags.override ?? []).map((m) => checkMethod(m.toUpperCase(), '--override'))
  return { callType: isUser ? 'user' : 'app', ...(isUser ? { user } : {}), method, overrides, upgrade: flags.upgrade === true, path }
}

function parseExplainFlags(argv: string[]) {
  return parseFlags(argv, FLAGS)
}

export function findPartner(config: GatewayConfig, name: string): PartnerConfig {
  const partner = config.partners.find((p) => p.name === name)
  if (partner === undefined) throw new UsageError(`no partner named "${name}" in the configuration (${config.partners.map((p) => p.name).join(', ') || 'none'})`)
  return partner
}

export async function accessExplainCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'access explain', usage: ACCESS_EXPLAIN_USAGE }, argv, io, async () => {
    const flags = parseExplainFlags(argv)
    const file = resolve(requireFlag(flags.config, '--config'))
    const partnerName = requireFlag(flags.partner, '--partner')
    const request = requestFrom(flags)
    const { config, warnings } = loadConfigFile(file, { env: io.env, ...(io.now === undefined ? {} : { now: io.now }) })
    writeWarnings(io, warnings)
    const partner = findPartner(config, partnerName)
    return writeAccessExplanation(io.stdout, compilePolicy(config.access, config.partners), partner, { partner: partner.name, ...request })
  })
}

/** `access <subcommand>`: `explain`. */
export async function accessCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'explain') return accessExplainCommand(rest, io)
  return runCommand({ name: 'access', usage: ACCESS_EXPLAIN_USAGE }, argv, io, async () => {
    throw new UsageError(sub === undefined ? 'missing subcommand (explain)' : `unknown subcommand "${sub}" (explain)`)
  })
}
