// Config: reading the files a configuration names (certificates, keys, CA bundles) during the load, so a
// missing, unreadable or mismatched file is a ConfigError at start-up, never a failure at the first request.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { parseSigningCertificate } from '../certs/index.js'
import type { SigningKey } from '../certs/index.js'
import { ownershipProblem } from '../partners/index.js'
import type { ProblemCollector } from './problems.js'

const DAY_MS = 86_400_000
/** Certificates expiring sooner than this get a warning at every load. */
export const EXPIRY_WARNING_DAYS = 30

/** The file exists, is a regular file and can be read. Records a problem otherwise. */
export function checkReadableFile(file: string, path: string, out: ProblemCollector): boolean {
  return readConfigFile(file, path, out) !== undefined
}

/** The file's bytes, or undefined after recording why it cannot be read. */
export function readConfigFile(file: string, path: string, out: ProblemCollector): Buffer | undefined {
  if (out.isInvalid(path)) return undefined
  try {
    if (!statSync(file).isFile()) return void out.problem(path, `${file} is not a file`)
    accessSync(file, constants.R_OK)
    return readFileSync(file)
  } catch (err) {
    return void out.problem(path, `cannot read ${file}: ${fileErrorText(err)}`)
  }
}

/**
 * A directory the gateway writes to (metadata.cacheDir): an existing one must be a writable directory that only
 * this user (or root) can write, since the snapshot store refuses every file in any other (snapshot-trust.ts);
 * a missing one is created 0700 at start-up, so its nearest existing ancestor must be a writable directory.
 * Ownership is judged for the user running the check: run check-config as the gateway's user.
 */
export function checkWritableDirectory(dir: string, path: string, out: ProblemCollector): void {
  if (out.isInvalid(path)) return
  let probe = dir
  while (!existsSync(probe)) {
    const parent = dirname(probe)
    if (parent === probe) break
    probe = parent
  }
  try {
    const found = statSync(probe)
    if (!found.isDirectory()) return out.problem(path, `${probe} is not a directory`)
    accessSync(probe, constants.W_OK | constants.X_OK)
    const unsafe = probe === dir ? ownershipProblem(found, dir, process.getuid?.()) : undefined
    if (unsafe !== undefined) {
      out.problem(path, `${unsafe}: another user could plant keys there, so its snapshots would be refused; use a directory of the gateway's own user with mode 0700, or name a missing one for the gateway to create`)
    }
  } catch (err) {
    out.problem(path, `cannot write to ${probe}: ${fileErrorText(err)}`)
  }
}

/** A PEM CA bundle (tls.caFile, outbound.caFile): readable, with at least one certificate. */
export function checkCaBundle(file: string, path: string, out: ProblemCollector): void {
  const bytes = readConfigFile(file, path, out)
  if (bytes !== undefined && !bytes.includes('-----BEGIN CERTIFICATE-----')) out.problem(path, `${file} is not a PEM certificate bundle`)
}

export function fileErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  return err instanceof Error ? err.message : String(err)
}

/** A certificate file's bytes, PEM or DER. Throws. issuer/ parses with this too, so the load checks what serve uses. */
export function parseCertificateBytes(bytes: Buffer): SigningKey {
  return parseSigningCertificate(bytes.includes('-----BEGIN') ? bytes.toString('latin1') : bytes)
}

/** A private key file's bytes: PEM (PKCS#8 or PKCS#1) or DER PKCS#8; encrypted keys are not supported. Throws. */
export function parsePrivateKeyBytes(bytes: Buffer): KeyObject {
  return bytes.includes('-----BEGIN')
    ? createPrivateKey({ key: bytes.toString('latin1'), format: 'pem' })
    : createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' })
}

/** A token-signing certificate file (PEM or DER), parsed as partners/ and issuer/ will use it. */
export function loadCertificateFile(file: string, path: string, out: ProblemCollector): SigningKey | undefined {
  const bytes = readConfigFile(file, path, out)
  if (bytes === undefined) return undefined
  try {
    return parseCertificateBytes(bytes)
  } catch (err) {
    return void out.problem(path, `${file} is not a usable certificate: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** A private key file, as parsePrivateKeyBytes reads it. */
export function loadPrivateKeyFile(file: string, path: string, out: ProblemCollector): KeyObject | undefined {
  const bytes = readConfigFile(file, path, out)
  if (bytes === undefined) return undefined
  try {
    return parsePrivateKeyBytes(bytes)
  } catch {
    const encrypted = bytes.includes('ENCRYPTED')
    return void out.problem(path, `${file} is not ${encrypted ? 'an unencrypted' : 'a valid'} private key`)
  }
}

/** Expired, not yet valid, or expiring within EXPIRY_WARNING_DAYS: a warning, never a problem (docs/PROTOCOL.md §1.6). */
export function warnAboutValidity(key: SigningKey, path: string, nowMs: number, out: ProblemCollector, expiredNote: string): void {
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10)
  if (key.notAfter <= nowMs) return out.warn(path, `certificate ${key.x5t} expired on ${day(key.notAfter)}; ${expiredNote}`)
  if (key.notBefore > nowMs) out.warn(path, `certificate ${key.x5t} is not valid before ${day(key.notBefore)}`)
  const daysLeft = Math.floor((key.notAfter - nowMs) / DAY_MS)
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    out.warn(path, `certificate ${key.x5t} expires on ${day(key.notAfter)} (in ${daysLeft} days)`)
  }
}
