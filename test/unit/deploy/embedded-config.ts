// Test helper: load a gateway configuration from deploy/ with the gateway's own loader. Its certificate
// paths (/etc/s2s-gateway/certs/...) are pointed at a temp folder where a fresh certificate and key are
// generated for each file named, so the load is real and nothing secret is ever committed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, extname, join } from 'node:path'
import { createSelfSignedCertificate } from '../../../src/certs/create.js'
import { ConfigError, formatProblem, loadConfigObject, parseConfigYaml, type LoadedConfig } from '../../../src/config/index.js'

/** Where the Dockerfile, the Deployment and docker-compose.yml put certificates. */
export const CERT_DIR = '/etc/s2s-gateway/certs/'

export interface EmbeddedLoad {
  loaded: LoadedConfig
  /** The raw configuration as written (before paths were rewritten). */
  raw: Record<string, unknown>
  /** Certificate file names the configuration expects under CERT_DIR, e.g. ['gateway.key', 'gateway.pem']. */
  certFiles: string[]
}

/** Every string under CERT_DIR anywhere in the value, as the file name below it. */
function certFilesIn(value: unknown): string[] {
  if (typeof value === 'string') return value.startsWith(CERT_DIR) ? [value.slice(CERT_DIR.length)] : []
  if (Array.isArray(value)) return value.flatMap(certFilesIn)
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(certFilesIn)
  return []
}

function rewritePaths(value: unknown, dir: string): unknown {
  if (typeof value === 'string') return value.startsWith(CERT_DIR) ? join(dir, value.slice(CERT_DIR.length)) : value
  if (Array.isArray(value)) return value.map((v) => rewritePaths(v, dir))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewritePaths(v, dir)]))
  }
  return value
}

/** One certificate per stem: gateway.pem and gateway.key are a pair, hr-addin.pem another certificate. */
async function writeCertificates(files: readonly string[], dir: string): Promise<void> {
  const stems = [...new Set(files.map((f) => basename(f, extname(f))))]
  for (const stem of stems) {
    const created = await createSelfSignedCertificate({ subject: `CN=${stem}` })
    for (const file of files.filter((f) => basename(f, extname(f)) === stem)) {
      const isKey = extname(file) === '.key'
      writeFileSync(join(dir, file), isKey ? created.keyPem : created.certPem, { mode: isKey ? 0o600 : 0o644 })
    }
  }
}

/** Parse YAML text as `serve` would and load it, certificates generated for it; throws listing every problem. */
export async function loadEmbeddedConfig(yamlText: string, env: Record<string, string>): Promise<EmbeddedLoad> {
  const { raw } = parseConfigYaml(yamlText)
  const given = raw as Record<string, unknown>
  const certFiles = [...new Set(certFilesIn(given))].sort()
  const dir = mkdtempSync(join(tmpdir(), 's2s-deploy-test-'))
  try {
    await writeCertificates(certFiles, dir)
    const rewritten = rewritePaths(given, dir) as Record<string, unknown>
    try {
      const loaded = loadConfigObject(rewritten, { baseDir: dir, env })
      return { loaded, raw: given, certFiles }
    } catch (err) {
      if (err instanceof ConfigError) throw new Error(`configuration problems:\n${err.problems.map(formatProblem).join('\n')}`)
      throw err
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** `${NAME}` references in a configuration's values (the loader resolves them from the environment). */
export function envReferencesIn(raw: unknown): string[] {
  const text = JSON.stringify(raw)
  return [...new Set([...text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] as string))].sort()
}
