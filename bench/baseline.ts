// Bench: `--baseline REF` measures the gateway of another commit in the same run, next to the current one, so a
// change's effect is a before/after pair from the same machine and minute. The commit's src/ is exported with
// git archive and compiled into bench/.baseline/ (inside the package, so node_modules resolve), with the commit's
// own gateway child script (bench/children, bench/forwarders): the child imports src/ by path, and a commit that
// moved files would not start under today's child.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './paths.js'

export interface Baseline {
  ref: string
  /** Short commit id, used in row ids (`app-warm@1a2b3c4`). */
  short: string
  /** Compiled gateway child of the baseline build. */
  gatewayScript: string
}

export function prepareBaseline(ref: string): Baseline {
  const short = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT, encoding: 'utf8' }).trim()
  const dir = join(ROOT, 'bench', '.baseline', short)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'tree'), { recursive: true })
  const parts = ['src', 'bench/children', 'bench/forwarders']
  const archive = execFileSync('git', ['archive', '--format=tar', ref, ...parts], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 })
  execFileSync('tar', ['-x', '-C', join(dir, 'tree')], { input: archive })
  writeFileSync(
    join(dir, 'tree', 'tsconfig.json'),
    JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), compilerOptions: { rootDir: '.', outDir: join(dir, 'build'), noEmit: false, sourceMap: false }, include: parts }),
  )
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tree', 'tsconfig.json'), '--noCheck'], { cwd: ROOT, stdio: 'inherit' })
  const gatewayScript = join(dir, 'build', 'bench', 'children', 'gateway.js')
  if (!existsSync(gatewayScript)) throw new Error(`${ref}: no bench/children/gateway.ts to run its gateway with`)
  return { ref, short, gatewayScript }
}
