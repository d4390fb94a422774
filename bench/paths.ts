// Bench: where things are. The bench runs from bench/.build (compiled by bench/tsconfig.json), so paths are found
// by walking up to the package root rather than assumed relative to the compiled file.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot(start: string): string {
  let dir = start
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 's2s-gateway') return dir
    const up = dirname(dir)
    if (up === dir) throw new Error('bench: cannot find the s2s-gateway package root')
    dir = up
  }
}

/** The repository root (where package.json is). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))
/** Compiled bench scripts, e.g. `${BUILD}/bench/children/echo.js`. */
export const BUILD = join(ROOT, 'bench', '.build')
export const RESULTS = join(ROOT, 'bench', 'results')

/** A compiled child script by its path under bench/ without extension: childScript('children/echo'). */
export function childScript(name: string): string {
  return join(BUILD, 'bench', `${name}.js`)
}

/** A non-TypeScript asset kept next to the sources (Lua scripts). */
export function benchAsset(name: string): string {
  return join(ROOT, 'bench', name)
}
