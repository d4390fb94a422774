// `npm run build` (after tsc): record which commit this build is, in dist/build-info.json, so `--version`, the
// start-up log line, /status and s2s_gateway_build_info can say it without git at run time. The commit comes
// from S2S_GATEWAY_COMMIT when set (the Docker build passes it as a build argument: the image has no .git),
// else from `git` in a clone (marked "-dirty" with uncommitted changes), else "unknown".
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = resolve(process.argv[2] ?? join(root, 'dist'))

function git(...args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim()
}

function commitOf() {
  const given = (process.env.S2S_GATEWAY_COMMIT ?? '').trim()
  if (given !== '') return /^[0-9a-zA-Z._-]{1,64}$/.test(given) ? given : 'unknown'
  try {
    const head = git('rev-parse', '--short=12', 'HEAD')
    return git('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head}-dirty`
  } catch {
    return 'unknown'
  }
}

mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, 'build-info.json'), `${JSON.stringify({ commit: commitOf() })}\n`)
