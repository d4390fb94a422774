// Test helper: load a shipped gateway configuration (deploy/ or config/) the way `serve` and `check-config`
// do, from a file. Its certificate paths are relative to the configuration file (certs/..., which is
// /etc/s2s-gateway/certs in the container), so the file is written to a temp folder and a fresh
// certificate and key are generated under it for each file named: the load is real and nothing secret is
// ever committed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, extname, join } from 'node:path'
import { createSelfSignedCertificate } from '../../../src/certs/create.js'
import { ConfigError, formatProblem, loadConfigFile, parseConfigYaml, type LoadedConfig } from '../../../src/config/index.js'

/** Where certificates sit, relative to the configuration file (the Dockerfile's /etc/s2s-gateway/certs). */
export const CERT_DIR = 'certs/'

export interface EmbeddedLoad {
  loaded: LoadedConfig
  /** The raw configuration as written. */
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

/** One certificate per stem: gateway.pem and gateway.key are a pair, hr-addin.pem another certificate. */
async function writeCertificates(files: readonly string[], dir: string): Promise<void> {
  const stems = [...new Set(files.map((f) => basename(f, extname(f))))]
  for (const stem of stems) {
    const created = await createSelfSignedCertificate({ subject: `CN=${stem}` })
    for (const file of files.filter((f) => basename(f, extname(f)) === stem)) {
      const isKey = extname(file) === '.key'
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), isKey ? created.keyPem : created.certPem, { mode: isKey ? 0o600 : 0o644 })
    }
  }
}

/**
 * Write the YAML text to <temp>/gateway.yaml with the certificates it names under <temp>/certs, then call
 * `use` with the file's path (and remove it all afterwards).
 */
export async function withConfigOnDisk<T>(yamlText: string, use: (file: string, certFiles: string[]) => Promise<T> | T): Promise<T> {
  const { raw } = parseConfigYaml(yamlText)
  const certFiles = [...new Set(certFilesIn(raw))].sort()
  const dir = mkdtempSync(join(tmpdir(), 's2s-deploy-test-'))
  try {
    await writeCertificates(certFiles.map((f) => CERT_DIR + f), dir)
    const file = join(dir, 'gateway.yaml')
    writeFileSync(file, yamlText)
    return await use(file, certFiles)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Load YAML text as `serve --config` would, certificates generated for it; throws listing every problem. */
export async function loadEmbeddedConfig(yamlText: string, env: Record<string, string>): Promise<EmbeddedLoad> {
  const raw = parseConfigYaml(yamlText).raw as Record<string, unknown>
  return withConfigOnDisk(yamlText, (file, certFiles) => {
    try {
      return { loaded: loadConfigFile(file, { env }), raw, certFiles }
    } catch (err) {
      if (err instanceof ConfigError) throw new Error(`configuration problems:\n${err.problems.map(formatProblem).join('\n')}`)
      throw err
    }
  })
}

/** `${NAME}` references in a configuration's values (the loader resolves them from the environment). */
export function envReferencesIn(raw: unknown): string[] {
  const text = JSON.stringify(raw)
  return [...new Set([...text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] as string))].sort()
}
