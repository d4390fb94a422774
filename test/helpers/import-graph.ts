// The import graph of a source tree, read from the text: static imports and re-exports (type-only ones included,
// since a type import also ties two modules' order for a reader) and dynamic import(). Used by the layout test.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

export interface ImportEdge {
  /** Paths relative to the root, with '/' separators. */
  from: string
  to: string
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path))
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

const posix = (path: string): string => path.split(sep).join('/')

/** Every relative import between the .ts files under `root`; a specifier ending in .js names the .ts file. */
export function importGraph(root: string): { files: string[]; edges: ImportEdge[] } {
  const files = sourceFiles(root)
  const edges: ImportEdge[] = []
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? ''
      let target = resolve(dirname(file), spec)
      if (target.endsWith('.js')) target = target.slice(0, -3) + '.ts'
      if (!existsSync(target)) target = join(target, 'index.ts')
      edges.push({ from: posix(relative(root, file)), to: posix(relative(root, target)) })
    }
  }
  return { files: files.map((f) => posix(relative(root, f))), edges }
}

/** The folder directly under the root that holds `path`, or undefined for a file at the root. */
export function unitOf(path: string): string | undefined {
  const slash = path.indexOf('/')
  return slash === -1 ? undefined : path.slice(0, slash)
}

/**
 * Imports that enter another top-level folder anywhere but its index.ts. Files at the root (the entry point and
 * build facts) may be imported from anywhere; a root file importing a folder goes through its index too.
 */
export function boundaryViolations(edges: readonly ImportEdge[]): ImportEdge[] {
  return edges.filter(({ from, to }) => {
    const target = unitOf(to)
    if (target === undefined || target === unitOf(from)) return false
    return to !== `${target}/index.ts`
  })
}

/** Folders directly under the root without an index.ts. */
export function foldersWithoutIndex(files: readonly string[]): string[] {
  const folders = new Set(files.map(unitOf).filter((u): u is string => u !== undefined))
  return [...folders].filter((f) => !files.includes(`${f}/index.ts`)).sort()
}

/** Strongly connected groups of two or more files, or a file importing itself: every import cycle. */
export function importCycles(files: readonly string[], edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]))
  for (const e of edges) next.get(e.from)?.push(e.to)
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (v: string): void => {
    index.set(v, counter)
    low.set(v, counter++)
    stack.push(v)
    onStack.add(v)
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        if (!next.has(w)) continue
        visit(w)
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0))
      }
    }
    if (low.get(v) !== index.get(v)) return
    const group: string[] = []
    let w: string | undefined
    do {
      w = stack.pop()
      if (w === undefined) break
      onStack.delete(w)
      group.push(w)
    } while (w !== v)
    if (group.length > 1 || (next.get(v) ?? []).includes(v)) cycles.push(group.sort())
  }
  for (const f of files) if (!index.has(f)) visit(f)
  return cycles
}
