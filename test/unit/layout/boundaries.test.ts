// Issue 16: the tree shows the data flow. Every folder under src/ exports its API from index.ts, no import from
// another folder reaches past it, and no import cycle exists (type-only imports included). The checks are first
// shown to catch a violation in a small tree written here, so a pass on src/ means something.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { boundaryViolations, foldersWithoutIndex, importCycles, importGraph } from '../../helpers/import-graph.js'

const SRC = resolve(import.meta.dirname, '../../../src')

describe('the checks themselves, on a tree with every kind of fault', () => {
  const root = mkdtempSync(join(tmpdir(), 's2s-layout-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const files: Record<string, string> = {
    'a/index.ts': "export { one } from './one.js'\n",
    'a/one.ts': "import type { Two } from '../b/two.js'\nexport const one = 1\nexport type { Two }\n",
    'b/index.ts': "export { two } from './two.js'\n",
    'b/two.ts': "import { one } from '../a/index.js'\nexport type Two = typeof one\nexport const two = 2\n",
    'c/lonely.ts': "// a comment: import { x } from '../a/one.js'\nexport const lonely = import('../b/index.js')\n",
    'main.ts': "import { two } from './b/index.js'\nexport default two\n",
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  const graph = importGraph(root)

  it('reads static, type-only and dynamic imports, and skips commented ones', () => {
    expect(graph.edges).toContainEqual({ from: 'a/one.ts', to: 'b/two.ts' })
    expect(graph.edges).toContainEqual({ from: 'c/lonely.ts', to: 'b/index.ts' })
    expect(graph.edges.filter((e) => e.from === 'c/lonely.ts')).toHaveLength(1)
  })

  it('finds the import that reaches past an index.ts, and only that one', () => {
    expect(boundaryViolations(graph.edges)).toEqual([{ from: 'a/one.ts', to: 'b/two.ts' }])
  })

  it('finds the folder without an index.ts', () => {
    expect(foldersWithoutIndex(graph.files)).toEqual(['c'])
  })

  it('finds the cycle a type-only import closes through an index file', () => {
    expect(importCycles(graph.files, graph.edges)).toEqual([['a/index.ts', 'a/one.ts', 'b/two.ts']])
  })
})

describe('src/', () => {
  const graph = importGraph(SRC)

  it('has an index.ts in every folder', () => {
    expect(foldersWithoutIndex(graph.files)).toEqual([])
  })

  it('imports another folder only through its index.ts', () => {
    expect(boundaryViolations(graph.edges)).toEqual([])
  })

  it('has no import cycle, type-only imports included', () => {
    expect(importCycles(graph.files, graph.edges)).toEqual([])
  })

  it('is read as a whole: the graph holds the gateway, not an empty tree', () => {
    expect(graph.files.length).toBeGreaterThan(150)
    expect(graph.edges.length).toBeGreaterThan(500)
  })
})
