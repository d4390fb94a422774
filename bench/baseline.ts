// Bench: `--baseline REF` measures the gateway of another commit in the same run, next to the current one, so a
// change's effect is a before/after pair from the same machine and minute. The commit's src/ is exported with
// git archive and compiled into bench/.baseline/ (inside the package, so node_modules resolve); the gateway
// child script is the current one.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUILD, ROOT } from './paths.js'

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
  const archive = execFileSync('git', ['archive', '--format=tar', ref, 'src'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 })
  execFileSync('tar', ['-x', '-C', join(dir, 'tree')], { input: archive })
  writeFileSync(
    join(dir, 'tree', 'tsconfig.json'),
    JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), compilerOptions: { rootDir: '.', outDir: join(dir, 'build'), noEmit: false, sourceMap: false }, include: ['src'] }),
  )
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tree', 'tsconfig.json'), '--noCheck'], { cwd: ROOT, stdio: 'inherit' })
  const children = join(dir, 'build', 'bench', 'children')
  mkdirSync(children, { recursive: true })
  copyFileSync(join(BUILD, 'bench', 'children', 'gateway.js'), join(children, 'gateway.js'))
  return { ref, short, gatewayScript: join(children, 'gateway.js') }
}
