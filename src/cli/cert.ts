// CLI: `s2s-gateway cert create`: a self-signed RSA certificate and key for the built-in token issuer (or a
// test partner), made with the same code the demo and tests use. Prints the x5t partners will see.
import { chmodSync, existsSync, writeFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { resolve } from 'node:path'
import { createSelfSignedCertificate } from '../certs/index.js'
import { MIN_RSA_BITS, x5tToThumbprint } from '../certs/index.js'
import { EXIT, UsageError, integerFlag, parseFlags, requireFlag, writeLine, type CliIo } from './io.js'
import { runCommand } from './command.js'

export const CERT_USAGE = `Usage: s2s-gateway cert create --cert <out.pem> --key <out.key> [options]

Create a self-signed RSA certificate and private key for token signing (issuer.certificates).

Options:
  --cert <file>       where to write the certificate (PEM)
  --key <file>        where to write the private key (PEM, PKCS#8, mode 0600)
  --subject <dn>      subject and issuer name (default "CN=s2s-gateway token issuer")
  --days <n>          validity in days (default 730)
  --bits <n>          RSA key size (default ${MIN_RSA_BITS}, at least ${MIN_RSA_BITS})
  --force             overwrite existing files
  -h, --help          show this help
`

const FLAGS = {
  cert: { type: 'string' },
  key: { type: 'string' },
  subject: { type: 'string' },
  days: { type: 'string' },
  bits: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** `cert <subcommand>`: only `create` exists. */
export async function certCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'create') return certCreateCommand(rest, io)
  return runCommand({ name: 'cert', usage: CERT_USAGE }, argv, io, async () => {
    throw new UsageError(sub === undefined ? 'missing subcommand (create)' : `unknown subcommand "${sub}" (create)`)
  })
}

export async function certCreateCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'cert create', usage: CERT_USAGE, flags: FLAGS }, argv, io, async () => {
    const flags = parseFlags(argv, FLAGS)
    const certPath = resolve(requireFlag(flags.cert, '--cert'))
    const keyPath = resolve(requireFlag(flags.key, '--key'))
    if (certPath === keyPath) throw new UsageError('--cert and --key must be different files')
    const subject = flags.subject ?? 'CN=s2s-gateway token issuer'
    if (!/^[A-Za-z][A-Za-z0-9.]*=./.test(subject)) throw new UsageError('--subject must be a distinguished name such as CN=s2s-gateway')
    const days = integerFlag(flags.days, '--days', 730, 1, 36_500)
    const keyBits = integerFlag(flags.bits, '--bits', MIN_RSA_BITS, MIN_RSA_BITS, 16_384)
    const force = flags.force === true
    for (const file of [certPath, keyPath]) {
      if (!force && existsSync(file)) throw new Error(`refusing to overwrite ${file} (use --force)`)
    }
    const created = await createSelfSignedCertificate({ subject, days, keyBits })
    const flag = force ? 'w' : 'wx' // wx: fail rather than overwrite a file that appeared meanwhile
    writeFileSync(keyPath, created.keyPem, { mode: 0o600, flag })
    chmodSync(keyPath, 0o600) // mode applies only when the file is created; --force may reuse one
    writeFileSync(certPath, created.certPem, { mode: 0o644, flag })
    // The certificate stores whole seconds: print what it says, not the requested instants.
    const written = new X509Certificate(created.der)
    const rows: Array<[string, string]> = [
      ['certificate', certPath],
      ['private key', `${keyPath} (mode 0600)`],
      ['subject', subject],
      ['x5t', created.x5t],
      ['thumbprint', x5tToThumbprint(created.x5t)],
      ['not before', new Date(written.validFrom).toISOString()],
      ['not after', new Date(written.validTo).toISOString()],
    ]
    for (const [label, value] of rows) writeLine(io.stdout, `${`${label}:`.padEnd(13)}${value}`)
    return EXIT.ok
  })
}
