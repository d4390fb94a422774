import { afterAll, describe, expect, it } from 'vitest'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { runCli } from '../../../src/cli/run.js'
import { computeX5t, x5tToThumbprint } from '../../../src/certs/x509.js'
import { makeTempDir } from '../config/fixtures.js'
import { captureIo } from './capture.js'

const temp = makeTempDir()
afterAll(temp.remove)

function field(output: string, label: string): string {
  const match = new RegExp(`^${label}:\\s+(.+)$`, 'm').exec(output)
  if (match?.[1] === undefined) throw new Error(`no "${label}" line in:\n${output}`)
  return match[1]
}

describe('s2s-gateway cert create', () => {
  it('writes a certificate and a 0600 key, and prints the x5t computed from the file', async () => {
    const cert = join(temp.dir, 'gw.pem')
    const key = join(temp.dir, 'gw.key')
    const io = captureIo()
    expect(await runCli(['cert', 'create', '--cert', cert, '--key', key, '--subject', 'CN=gw.contoso.com', '--days', '30'], io)).toBe(0)
    const x509 = new X509Certificate(readFileSync(cert))
    const x5t = computeX5t(x509.raw)
    expect(field(io.out(), 'x5t')).toBe(x5t)
    expect(field(io.out(), 'thumbprint')).toBe(x5tToThumbprint(x5t))
    expect(field(io.out(), 'thumbprint')).toBe(x509.fingerprint.replace(/:/g, ''))
    expect(field(io.out(), 'not after')).toBe(new Date(x509.validTo).toISOString())
    expect(x509.subject).toBe('CN=gw.contoso.com')
    expect(Date.parse(x509.validTo) - Date.parse(x509.validFrom)).toBe(30 * 86_400_000)
    expect(statSync(key).mode & 0o777).toBe(0o600)
    const privateKey = createPrivateKey(readFileSync(key))
    expect(createPublicKey(privateKey).equals(x509.publicKey)).toBe(true)
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('refuses to overwrite existing files without --force, and overwrites with it', async () => {
    const cert = join(temp.dir, 'keep.pem')
    const key = join(temp.dir, 'keep.key')
    writeFileSync(key, 'precious', { mode: 0o644 })
    const refused = captureIo()
    expect(await runCli(['cert', 'create', '--cert', cert, '--key', key], refused)).toBe(1)
    expect(refused.err()).toContain(`refusing to overwrite ${key} (use --force)`)
    expect(readFileSync(key, 'utf8')).toBe('precious')

    const forced = captureIo()
    expect(await runCli(['cert', 'create', '--cert', cert, '--key', key, '--force'], forced)).toBe(0)
    expect(readFileSync(key, 'utf8')).toContain('BEGIN PRIVATE KEY')
    expect(statSync(key).mode & 0o777).toBe(0o600)
    expect(field(forced.out(), 'x5t')).toBe(computeX5t(new X509Certificate(readFileSync(cert)).raw))
  })

  it.each([
    [['--key', 'k'], '--cert is required'],
    [['--cert', 'c'], '--key is required'],
    [['--cert', 'same', '--key', 'same'], '--cert and --key must be different files'],
    [['--cert', 'c', '--key', 'k', '--bits', '1024'], '--bits must be a whole number from 2048 to 16384'],
    [['--cert', 'c', '--key', 'k', '--days', '0'], '--days must be a whole number from 1 to 36500'],
    [['--cert', 'c', '--key', 'k', '--days', '1.5'], '--days must be a whole number'],
    [['--cert', 'c', '--key', 'k', '--subject', 'gateway'], '--subject must be a distinguished name'],
  ])('%j is a usage error', async (args, message) => {
    const io = captureIo()
    expect(await runCli(['cert', 'create', ...args], io)).toBe(2)
    expect(io.err()).toContain(message)
  })
})
