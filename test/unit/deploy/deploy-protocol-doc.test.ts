// Issue 15, defect 5: docs/PROTOCOL.md is the protocol reference everything points at. Every section the
// code, the configuration, the README and the deploy docs cite (`docs/PROTOCOL.md §4.6`, `§1.6 step 5`, the CLI's
// `REJECTED at §4.6 audience`) exists as a heading there with that meaning, the user-facing files name it by
// its path, and the README's relative links resolve.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_DIR } from './deploy-files.js'

const DOC = 'docs/PROTOCOL.md'
const read = (rel: string): string => readFileSync(join(REPO_DIR, rel), 'utf8')

/** Every file under a folder of the repository, as repository-relative paths. */
function walk(rel: string): string[] {
  return readdirSync(join(REPO_DIR, rel)).flatMap((name) => {
    const path = `${rel}/${name}`
    return statSync(join(REPO_DIR, path)).isDirectory() ? walk(path) : [path]
  })
}

/** Section number -> heading title, from `## 4. Title`, `### 4.6 Title` and `#### 1.6.5 Title`. */
function headings(markdown: string): Map<string, string> {
  const found = new Map<string, string>()
  for (const m of markdown.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? (.+)$/gm)) found.set(m[1] as string, m[2] as string)
  return found
}

/** GitHub's anchor for a heading. */
function slug(title: string): string {
  return title.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')
}

function anchors(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] as string)))
}

/** `4.2-3` means 4.2 to 4.3; `1.2-1.4` means 1.2 to 1.4: the end, completed from the start's prefix. */
function rangeEnd(start: string, end: string): string {
  const s = start.split('.')
  const e = end.split('.')
  return [...s.slice(0, s.length - e.length), ...e].join('.')
}

/**
 * The section numbers a text cites, steps resolved to subsections (`§1.6 step 5` -> 1.6.5, `§4 step 6` -> 4.6).
 * Section signs that belong to an RFC, an issue or a Microsoft specification are someone else's numbering.
 */
function citedSections(text: string): string[] {
  const out: string[] = []
  const re = /§\s?(\d+(?:\.\d+)*)(?:\s?-\s?§?(\d+(?:\.\d+)*))?(?:,? steps? (\d+)(?:\s?-\s?(\d+))?)?/g
  for (const m of text.matchAll(re)) {
    const before = text.slice(Math.max(0, m.index - 24), m.index)
    if (/(RFC ?\d+|issue \d+|\[MS-[A-Z0-9]+\]|MS-[A-Z0-9]+)[ ,]*$/i.test(before)) continue
    const [, start, end, step, stepEnd] = m as unknown as [string, string, string?, string?, string?]
    if (step !== undefined) {
      const last = Number(stepEnd ?? step)
      for (let n = Number(step); n <= last; n++) out.push(`${start}.${n}`)
    } else {
      out.push(start)
      if (end !== undefined) out.push(rangeEnd(start, end))
    }
  }
  return out
}

const doc = read(DOC)
const sections = headings(doc)
const CITING = [
  ...walk('src').filter((f) => f.endsWith('.ts')),
  'README.md', 'deploy/README.md', DOC,
  ...walk('config'), ...walk('deploy/kubernetes'), ...walk('deploy/compose').filter((f) => f.endsWith('.yaml')),
  ...walk('scripts').filter((f) => f.endsWith('.mjs')),
]

describe('docs/PROTOCOL.md', () => {
  it('reads citations the way they are written', () => {
    expect(citedSections('docs/PROTOCOL.md §1.7, §7.6 and §1.6 step 4')).toEqual(['1.7', '7.6', '1.6.4'])
    expect(citedSections('(§4.2-3 classify) §1.2-§1.4 §5.5 steps 1-2 §4 step 6')).toEqual(['4.2', '4.3', '1.2', '1.4', '5.5.1', '5.5.2', '4.6'])
    expect(citedSections('RFC 9110 §7.6.1, RFC 9112 §9.6; issue 4 §6; [MS-XOAUTH] §3.2.5.4')).toEqual([])
  })

  it('has the top-level sections 0 to 8 and the validation steps 4.1 to 4.11', () => {
    for (const n of ['0', '1', '2', '3', '4', '5', '6', '7', '8']) expect(sections.has(n), n).toBe(true)
    for (let n = 1; n <= 11; n++) expect(sections.has(`4.${n}`), `4.${n}`).toBe(true)
  })

  it.each(CITING)('every section %s cites exists', (file) => {
    const missing = citedSections(read(file)).filter((n) => !sections.has(n))
    expect(missing).toEqual([])
  })

  it("names each step the CLI prints with that step's heading (REJECTED at §4.6 audience)", () => {
    const steps = [...read('src/cli/token-inspect-explain.ts').matchAll(/'§(\d+(?:\.\d+)*) ([a-z ]+?)(?: \(\d+\))?'/g)]
    expect(steps.length).toBeGreaterThanOrEqual(10)
    for (const [, n, name] of steps) {
      expect(sections.get(n as string)?.toLowerCase(), `§${n} ${name}`).toContain(name)
    }
  })

  it('is what every source, test and script comment points at, by its path', () => {
    const files = ['src', 'test', 'bench', 'scripts'].flatMap((dir) => sourceFiles(dir))
    const bare = files.filter((file) => /(^|[^/\\A-Za-z])PROTOCOL\.md/m.test(read(file)))
    expect(bare).toEqual([])
  })

  it('is what the README, the example configuration and the deploy docs point at, by its path', () => {
    for (const file of ['README.md', 'config/gateway.example.yaml', 'deploy/README.md', 'src/schema/schema.ts']) {
      const text = read(file)
      expect(text, file).toMatch(/docs\/PROTOCOL\.md/)
      expect(text.replace(/docs\/PROTOCOL\.md/g, ''), `${file} names the protocol document without its docs/ path`).not.toMatch(/PROTOCOL\.md/)
    }
  })

  it.each(['README.md', 'deploy/README.md', DOC])('relative links in %s resolve, anchors included', (file) => {
    const text = read(file)
    const broken: string[] = []
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] as string
      if (/^[a-z]+:/i.test(target)) continue
      const [path, anchor] = target.split('#') as [string, string?]
      const resolved = path === '' ? file : relative(REPO_DIR, join(REPO_DIR, dirname(file), path))
      if (!existsSync(join(REPO_DIR, resolved))) broken.push(target)
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(read(resolved)).has(anchor)) broken.push(target)
    }
    expect(broken).toEqual([])
  })
})

/** Every .ts, .mts and .mjs file under `dir` (relative to the repository), build output and dependencies left out. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_DIR, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(rel)
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [rel] : []
  })
}
