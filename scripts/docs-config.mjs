// `npm run docs` generator: config/gateway.example.yaml, rendered from src/schema/schema.ts (via the compiled
// dist/) exactly as `s2s-gateway check-config --print-example` prints it. test/unit/config/schema.test.ts
// fails when the committed file is not current.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

export default async function docsConfig() {
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--noCheck'], { cwd: ROOT, stdio: 'inherit' })
  if (tsc.status !== 0) throw new Error(`tsc exited with ${tsc.status}`)
  const { renderExampleYaml } = await import(pathToFileURL(join(ROOT, 'dist', 'schema', 'index.js')).href)
  writeFileSync(join(ROOT, 'config', 'gateway.example.yaml'), renderExampleYaml())
}
