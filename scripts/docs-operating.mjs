// `npm run docs` generator for the README's Operating section: the metrics table (rendered from
// src/admin/metric-defs.ts, via the compiled dist/) and docs/status-page.png (the status page browser test's
// screenshot, copied there only when S2S_DOCS_SCREENSHOT is set, which only this script does).
import { spawnSync } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SCREENSHOT = join(ROOT, 'docs', 'status-page.png')

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`)
}

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

export default async function docsOperating() {
  run('npx', ['tsc', '-p', 'tsconfig.build.json', '--noCheck']) // typecheck is CI's job; docs only need the emit
  const { withMetricTable } = await import(pathToFileURL(join(ROOT, 'dist', 'admin', 'metric-table.js')).href)
  const readmePath = join(ROOT, 'README.md')
  writeFileSync(readmePath, withMetricTable(readFileSync(readmePath, 'utf8')))

  const before = mtime(SCREENSHOT)
  run('npx', ['vitest', 'run', 'test/integration/operating-status-browser.test.ts'], { S2S_DOCS_SCREENSHOT: SCREENSHOT })
  if (mtime(SCREENSHOT) === before) throw new Error('docs/status-page.png was not written: is /usr/bin/chromium installed?')
}
