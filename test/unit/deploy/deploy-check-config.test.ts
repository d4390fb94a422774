// Issue 15, defect 9: every configuration the repository ships (the example, compose's, the ConfigMap's)
// passes `s2s-gateway check-config` offline, as an operator would run it on a checkout: each written to a temp
// folder with the certificate files it names generated under it, ${NAME} references given stand-in values.
// Paths in them are relative to the configuration file, so they resolve the same there and in the container.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConfigYaml } from '../../../src/config/index.js'
import { runCli } from '../../../src/cli/run.js'
import { captureIo } from '../cli/capture.js'
import { REPO_DIR, loadManifests, pick, readDeployFile } from './deploy-files.js'
import { envReferencesIn, withConfigOnDisk } from './embedded-config.js'

const SHIPPED: Array<[string, () => string]> = [
  ['config/gateway.example.yaml', () => readFileSync(join(REPO_DIR, 'config', 'gateway.example.yaml'), 'utf8')],
  ['deploy/compose/gateway.yaml', () => readDeployFile('compose/gateway.yaml')],
  ["deploy/kubernetes/configmap.yaml's gateway.yaml", () => pick(loadManifests(), 'ConfigMap', 's2s-gateway-config').data['gateway.yaml'] as string],
]

/** Every string value in the configuration that names a file (cert, key, certificates, caFile, ...). */
function filePaths(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /^(cert|key|certificates|caFile|.*File)$/.test(key) || /\.(pem|key|crt)$/.test(value) ? [value] : []
  if (Array.isArray(value)) return value.flatMap((v) => filePaths(v, key))
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => filePaths(v, k))
  return []
}

describe('check-config on every shipped configuration, offline', () => {
  it.each(SHIPPED)('%s names its files relative to itself', (_name, read) => {
    const paths = filePaths(parseConfigYaml(read()).raw)
    expect(paths.length).toBeGreaterThan(0)
    expect(paths.filter((p) => p.startsWith('/'))).toEqual([])
  })

  it.each(SHIPPED)('%s: check-config says ok', async (_name, read) => {
    const text = read()
    const env = Object.fromEntries(envReferencesIn(parseConfigYaml(text).raw).map((n) => [n, `stand-in-value-for-${n}`]))
    await withConfigOnDisk(text, async (file, certFiles) => {
      expect(certFiles.length).toBeGreaterThan(0)
      const io = captureIo(env)
      const code = await runCli(['check-config', '--config', file], io)
      expect(io.out() + io.err()).toContain(`ok: ${file}`)
      expect(code).toBe(0)
    })
  })
})
