// CLI: `s2s-gateway token inspect [<token>|-] [--config <file>]`: decode an S2S token (outer and actor), show its
// claims with readable times and, with --config, run the gateway's own validator (tokens/) against that
// configuration and say exactly which step of docs/PROTOCOL.md §4 would reject it, and why.
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { loadConfigFile } from '../config/index.js'
import { GatewayError } from '../errors/index.js'
import { silentLogger } from '../log/index.js'
import { createPartnerRegistry } from '../partners/index.js'
import { createTokenValidator } from '../tokens/index.js'
import { createAuthorizationServers } from '../auth-servers/index.js'
import { runCommand, writeWarnings } from './command.js'
import { EXIT, UsageError, writeLine, type CliIo } from './io.js'
import { showTime } from './partner-show.js'
import { decodeToken, DecodeError, type DecodedPart, type DecodedToken } from './token-inspect-decode.js'
import { explainRejection } from './token-inspect-explain.js'
import { describeOwnToken } from './token-inspect-own.js'
import { compilePolicy } from '../access/index.js'
import { findPartner, writeAccessExplanation } from './access-explain.js'

export const TOKEN_INSPECT_USAGE = `Usage: s2s-gateway token inspect [<token> | -] [--config <file>] [--at <time>]

Decode an S2S token: the outer user-context token (alg none) and the actor token inside it, or an app-only
actor token. Claims are shown with readable times. Paste the token, an "Authorization: Bearer ..." line, or
pipe it on standard input ("-" or no argument).

With --config, the token is validated exactly as the gateway would (partner metadata is fetched) and the
command says which validation step rejects it and why; exit 1 when it would be rejected.

Options:
  -c, --config <file>  validate against this configuration
  --at <time>          validate as of this time (ISO 8601, e.g. 2024-05-01T10:42:00Z) instead of now
  --method <M> --path <path>
                       with --config: also decide access for the token's partner and user (as access explain);
                       exit 1 when denied
  -h, --help           show this help
`

const TIME_CLAIMS = new Set(['nbf', 'exp', 'iat'])

async function readStdin(io: CliIo): Promise<string> {
  if (io.stdin === undefined) throw new UsageError('give a token, or pipe one on standard input')
  let text = ''
  for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
  return text
}

function parseAt(value: string | undefined, now: () => number): () => number {
  if (value === undefined) return now
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new UsageError('--at must be an ISO 8601 time, e.g. 2024-05-01T10:42:00Z')
  return () => ms
}

function writePart(io: CliIo, title: string, part: DecodedPart, nowMs: number): void {
  writeLine(io.stdout, title)
  writeLine(io.stdout, `  header      ${JSON.stringify(part.header)}${part.unsigned ? '  (no signature)' : ''}`)
  for (const [name, value] of Object.entries(part.claims)) {
    if (name === 'actortoken') {
      writeLine(io.stdout, `  actortoken  (the actor token, below)`)
      continue
    }
    const seconds = TIME_CLAIMS.has(name) && (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) ? Number(value) : undefined
    const shown = seconds === undefined ? JSON.stringify(value) : `${JSON.stringify(value)}  ${showTime(seconds * 1000, nowMs)}`
    writeLine(io.stdout, `  ${name.padEnd(11)} ${shown}`)
  }
}

function writeDecoded(io: CliIo, token: DecodedToken, nowMs: number): void {
  writeLine(io.stdout, token.kind === 'user' ? 'User-context token: an unsigned outer token around a signed actor token' : 'App-only token: a signed actor token')
  if (token.outer !== undefined) writePart(io, 'Outer token', token.outer, nowMs)
  writePart(io, 'Actor token', token.actor, nowMs)
  const claims = [token.outer?.claims, token.actor.claims].filter((c) => c !== undefined)
  const nbf = Math.max(...claims.map((c) => Number(c['nbf'])))
  const exp = Math.min(...claims.map((c) => Number(c['exp'])))
  if (Number.isFinite(nbf) && Number.isFinite(exp)) {
    const state = nowMs / 1000 < nbf ? 'NOT YET VALID' : nowMs / 1000 >= exp ? 'EXPIRED' : 'valid now'
    writeLine(io.stdout, `Validity    ${showTime(nbf * 1000, nowMs)} to ${showTime(exp * 1000, nowMs)}: ${state} (without clock skew)`)
  }
}

/** `--method` and `--path`: the request the access decision (issue 10) is made for. */
interface AccessProbe {
  method: string
  path: string
}

async function validateWith(io: CliIo, file: string, token: DecodedToken, now: () => number, probe?: AccessProbe): Promise<number> {
  const { config, warnings } = loadConfigFile(file, { env: io.env, now })
  writeWarnings(io, warnings)
  writeLine(io.stdout, `Validation against ${file}:`)
  const own = describeOwnToken(token, config, now())
  if (own !== undefined) for (const line of own) writeLine(io.stdout, `  ${line}`)
  const registry = createPartnerRegistry(config.partners, { metadata: config.metadata, now, log: silentLogger })
  // Issue 7: tokens of a configured authorization server are judged as the gateway judges them.
  const authorizationServers = createAuthorizationServers(config.authorizationServers, { metadata: config.metadata, now, log: silentLogger })
  try {
    const validator = createTokenValidator({ service: config.service, tokens: config.tokens, registry, authorizationServers, now, logger: silentLogger })
    const identity = await validator.validate(token.text)
    const user = identity.user === undefined ? '' : `, user ${Object.entries(identity.user).map(([k, v]) => `${k}=${v}`).join(' ')}`
    const server = identity.authorizationServer === undefined ? '' : `, issued by authorization server ${identity.authorizationServer}`
    writeLine(io.stdout, `  ACCEPTED: partner ${identity.partner} (${identity.partnerId}@${identity.realm}), ${identity.authType} token, trust ${identity.trustLevel}${user}${server}`)
    if (probe === undefined) return EXIT.ok
    writeLine(io.stdout, 'Access decision:')
    const request = { partner: identity.partner, callType: identity.authType, user: identity.user, method: probe.method, overrides: [], upgrade: false, path: probe.path }
    return writeAccessExplanation(io.stdout, compilePolicy(config.access, config.partners), findPartner(config, identity.partner), request)
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    const why = explainRejection(err, token, config, registry, Math.floor(now() / 1000), authorizationServers)
    writeLine(io.stdout, `  REJECTED at ${why.step}: ${why.reason}`)
    writeLine(io.stdout, `  (the caller would get HTTP ${err.status} ${err.publicCode}; the log says code ${err.code}${err.reason === undefined ? '' : `, reason ${err.reason}`})`)
    writeLine(io.stdout, `  (${why.step.split(' ')[0]} is the section of docs/PROTOCOL.md that describes this step)`)
    return EXIT.failure
  } finally {
    authorizationServers.close()
    registry.close()
  }
}

export async function tokenInspectCommand(argv: string[], io: CliIo): Promise<number> {
  const options = { config: { type: 'string', short: 'c' }, at: { type: 'string' }, method: { type: 'string' }, path: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const
  return runCommand({ name: 'token inspect', usage: TOKEN_INSPECT_USAGE, flags: options }, argv, io, async () => {
    let parsed
    try {
      parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options })
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err))
    }
    if (parsed.positionals.length > 1) throw new UsageError('give one token')
    const given = parsed.positionals[0]
    const input = given === undefined || given === '-' ? await readStdin(io) : given
    const now = parseAt(parsed.values.at, io.now ?? Date.now)
    let token: DecodedToken
    try {
      token = decodeToken(input)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      writeLine(io.stderr, `s2s-gateway token inspect: cannot decode: ${err.message}`)
      return EXIT.failure
    }
    writeDecoded(io, token, now())
    const file = parsed.values.config
    const { method, path } = parsed.values
    if ((method === undefined) !== (path === undefined)) throw new UsageError('--method and --path go together')
    if (method !== undefined && file === undefined) throw new UsageError('--method and --path need --config')
    if (path !== undefined && !path.startsWith('/')) throw new UsageError('--path must start with /')
    const probe = method === undefined || path === undefined ? undefined : { method, path }
    return file === undefined ? EXIT.ok : validateWith(io, resolve(file), token, now, probe)
  })
}
