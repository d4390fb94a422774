// Test fixtures for config/, issuer/ and cli/ unit tests: a temp folder with certificates generated at test
// time (nothing secret is committed) and a minimal valid raw configuration that points at them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSelfSignedCertificate, type CreateCertificateOptions, type CreatedCertificate } from '../../../src/certs/create.js'
import { ConfigError, loadConfigObject, type ConfigProblem } from '../../../src/config/index.js'

export const SERVICE_ID = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'
export const HR_ADDIN_ID = '11111111-2222-3333-4444-555555555555'

export interface CertFiles {
  cert: string
  key: string
  created: CreatedCertificate
}

export function makeTempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 's2s-config-test-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Writes <name>.pem and <name>.key (mode 0600) into dir. */
export async function writeCertFiles(dir: string, name: string, opts: CreateCertificateOptions = {}): Promise<CertFiles> {
  const created = await createSelfSignedCertificate({ subject: `CN=${name}`, ...opts })
  const cert = join(dir, `${name}.pem`)
  const key = join(dir, `${name}.key`)
  writeFileSync(cert, created.certPem)
  writeFileSync(key, created.keyPem, { mode: 0o600 })
  return { cert, key, created }
}

/** A valid configuration (relative paths, resolved against the temp dir): gateway.pem/.key, partner.pem. */
export function validRaw(): Record<string, any> {
  return {
    service: { id: SERVICE_ID, realm: 'contoso.com', publicHosts: ['gw.contoso.com'] },
    listen: { inbound: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } },
    upstream: { url: 'http://127.0.0.1:8080' },
    issuer: { certificates: [{ cert: 'gateway.pem', key: 'gateway.key' }] },
    partners: [
      { name: 'exchange', metadataUrl: 'https://autodiscover.contoso.com/autodiscover/metadata/json/1', trustLevel: 'full' },
      { name: 'hr-addin', applicationId: HR_ADDIN_ID, realm: 'contoso.com', certificates: ['partner.pem'] },
    ],
  }
}

/** The problems a load reports, or [] when it succeeds. */
export function problemsOf(raw: unknown, baseDir: string, env: Record<string, string> = {}): ConfigProblem[] {
  try {
    loadConfigObject(raw, { baseDir, env })
    return []
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
}
