// `npm run docs`: refresh what the README and docs/ show from the latest reports (status page screenshot,
// security suite totals, ...). Each generator is a scripts/docs-*.mjs file exporting `default async function`.
// Test runs never write tracked files; only this command does.
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const generators = readdirSync(here).filter((f) => /^docs-.+\.mjs$/.test(f)).sort()
let failed = 0
for (const file of generators) {
  try {
    const mod = await import(pathToFileURL(join(here, file)).href)
    await mod.default()
    console.log(`docs: ${file} ok`)
  } catch (err) {
    failed++
    console.error(`docs: ${file} failed: ${err instanceof Error ? err.message : String(err)}`)
  }
}
if (generators.length === 0) console.log('docs: no generators (scripts/docs-*.mjs)')
process.exitCode = failed > 0 ? 1 : 0
