// CLI: `s2s-gateway token mint`: an S2S token signed with a given key, built like a real sender builds it
// (docs/PROTOCOL.md §2.5, §3): app-only actor token, or with --user-* flags an outer alg-none token around it.
import { resolve } from 'node:path'
import { mintActorToken, wrapUserToken, type DateFormat } from '../issuer/index.js'
import type { UserClaims } from '../identity/index.js'
import { EXIT, UsageError, integerFlag, parseFlags, requireFlag, writeLine, type CliIo } from './io.js'
import { runCommand } from './command.js'
import { readSigner } from './signer-files.js'
import { tokenInspectCommand } from './token-inspect.js'

export const TOKEN_USAGE = `Usage: s2s-gateway token mint --key <key.pem> --cert <cert.pem> --issuer <id@realm>
                              --audience <id/host[:port]@realm> [options]

Print a token for tests, demos and curl. Without --user-* flags: an app-only RS256 actor token. With any
--user-* flag: an unsigned outer token carrying those claims around an actor token with
trustedfordelegation "true". nbf is now - 300 s, exp is now + --lifetime-sec.

Options:
  --key <file>           private key (PEM) that signs the actor token
  --cert <file>          its certificate (PEM); its x5t goes in the header
  --issuer <id@realm>    iss and nameid of the actor token
  --audience <aud>       <service id>/<host[:port]>@<realm> of the receiving service
  --user-upn <upn>       user claims of the outer token
  --user-smtp <address>
  --user-sip <address>
  --user-nameid <id>
  --user-nii <issuer>    how to read --user-nameid (e.g. urn:office:idp:activedirectory)
  --lifetime-sec <n>     default 3600
  --date-format <f>      number (default) or string: how nbf and exp are written
  -h, --help             show this help
`

const USER_FLAGS = { 'user-upn': 'upn', 'user-smtp': 'smtp', 'user-sip': 'sip', 'user-nameid': 'nameid', 'user-nii': 'nii' } as const
const str = { type: 'string' } as const
const FLAGS = {
  key: str, cert: str, issuer: str, audience: str,
  'user-upn': str, 'user-smtp': str, 'user-sip': str, 'user-nameid': str, 'user-nii': str,
  'lifetime-sec': str, 'date-format': str, help: { type: 'boolean', short: 'h' },
} as const

/** `token <subcommand>`: `mint`, and `inspect` (token-inspect.ts). */
export async function tokenCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'mint') return tokenMintCommand(rest, io)
  if (sub === 'inspect') return tokenInspectCommand(rest, io)
  return runCommand({ name: 'token', usage: `${TOKEN_USAGE}\nAlso: s2s-gateway token inspect [<token>|-] [--config <file>] (see token inspect --help)\n` }, argv, io, async () => {
    throw new UsageError(sub === undefined ? 'missing subcommand (mint, inspect)' : `unknown subcommand "${sub}" (mint, inspect)`)
  })
}

export async function tokenMintCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'token mint', usage: TOKEN_USAGE, flags: FLAGS }, argv, io, async () => {
    const flags = parseFlags(argv, FLAGS)
    const issuer = requireFlag(flags.issuer, '--issuer')
    const audience = requireFlag(flags.audience, '--audience')
    if (!/^[^\s@/]+@[^\s@/]+$/.test(issuer)) throw new UsageError('--issuer must look like <id>@<realm>')
    if (!/^[^\s@/]+\/[^\s@/]+@[^\s@/]+$/.test(audience)) throw new UsageError('--audience must look like <id>/<host[:port]>@<realm>')
    const lifetimeSec = integerFlag(flags['lifetime-sec'], '--lifetime-sec', 3600, 1)
    const dateFormat: DateFormat = parseDateFormat(flags['date-format'])
    const user: UserClaims = {}
    for (const [flag, claim] of Object.entries(USER_FLAGS)) {
      const value = flags[flag as keyof typeof USER_FLAGS]
      if (value !== undefined) user[claim] = value
    }
    if (user.nii !== undefined && user.nameid === undefined) throw new UsageError('--user-nii needs --user-nameid')
    const signer = readSigner(resolve(requireFlag(flags.key, '--key')), resolve(requireFlag(flags.cert, '--cert')))

    const now = Math.floor((io.now ?? Date.now)() / 1000)
    const times = { nbf: now - 300, exp: now + lifetimeSec, dateFormat }
    const isUser = Object.keys(user).length > 0
    const actor = await mintActorToken(signer, { issuer, audience, ...times, ...(isUser ? { trustedForDelegation: true } : {}) })
    writeLine(io.stdout, isUser ? wrapUserToken({ actorToken: actor, issuer, audience, ...times, user }) : actor)
    return EXIT.ok
  })
}

function parseDateFormat(value: string | undefined): DateFormat {
  if (value === undefined || value === 'number' || value === 'string') return value ?? 'number'
  throw new UsageError('--date-format must be number or string')
}
