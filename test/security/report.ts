// Security suite: the tally each test file keeps (attacks tried and refused, positive controls accepted, faults
// survived) and writes from its afterAll to reports/security/<suite>.json. Files run in parallel workers, so each
// writes only its own part; the merge into reports/security.json runs under a lock file, and `npm run docs`
// (scripts/docs-security.mjs) merges again before copying the figures into the README.
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, it } from 'vitest'
import { writeMergedReport } from '../../scripts/docs-security.mjs'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export type Category = 'signature' | 'claims' | 'outer' | 'transport' | 'headers' | 'paths' | 'http' | 'metadata' | 'fault' | 'resource' | 'outbound' | 'authz' | 'access'
type Kind = 'attack' | 'control' | 'fault'

interface CaseRecord {
  kind: Kind
  category: Category
  title: string
  ok: boolean
}

export interface Tally {
  /** An attack: passes when the gateway refused or neutralised it (the body's assertions say how). */
  attack(category: Category, title: string, body: () => Promise<unknown>, timeoutMs?: number): void
  /** A legitimate form, correctly signed: passes when the gateway accepted it. Counted apart from attacks. */
  control(category: Category, title: string, body: () => Promise<unknown>): void
  /** An injected fault: passes when the gateway answered as prescribed and then served good requests again. */
  fault(title: string, body: () => Promise<unknown>, timeoutMs?: number): void
  /** Measured figures (sockets, heap) for the README, merged by key across files. */
  resources: Record<string, unknown>
}

/** Register cases through the returned tally; its report part is written when the file's tests are done. */
export function securityTally(suite: string, testFile: string): Tally {
  const cases: CaseRecord[] = []
  const resources: Record<string, unknown> = {}
  const register = (kind: Kind, category: Category, title: string, body: () => Promise<unknown>, timeoutMs?: number): void => {
    it(`${kind === 'attack' ? '' : `${kind}: `}${title}`, async () => {
      const record: CaseRecord = { kind, category, title, ok: false }
      cases.push(record)
      await body()
      record.ok = true
    }, timeoutMs)
  }
  afterAll(async () => {
    await writePart(suite, testFile, cases, resources)
  })
  return {
    attack: (category, title, body, timeoutMs) => register('attack', category, title, body, timeoutMs),
    control: (category, title, body) => register('control', category, title, body),
    fault: (title, body, timeoutMs) => register('fault', 'fault', title, body, timeoutMs),
    resources,
  }
}

function count(cases: readonly CaseRecord[], kind: Kind): { tried: number; ok: number } {
  const mine = cases.filter((c) => c.kind === kind)
  return { tried: mine.length, ok: mine.filter((c) => c.ok).length }
}

async function writePart(suite: string, testFile: string, cases: CaseRecord[], resources: Record<string, unknown>): Promise<void> {
  const dir = join(ROOT, 'reports', 'security')
  mkdirSync(dir, { recursive: true })
  const attacks = count(cases, 'attack')
  const controls = count(cases, 'control')
  const faults = count(cases, 'fault')
  const part = {
    suite,
    file: relative(ROOT, fileURLToPath(testFile)),
    generatedAt: new Date().toISOString(),
    attacks: { tried: attacks.tried, rejected: attacks.ok },
    controls: { tried: controls.tried, accepted: controls.ok },
    faults: { tried: faults.tried, survived: faults.ok },
    resources,
    cases,
  }
  writeFileSync(join(dir, `${suite}.json`), `${JSON.stringify(part, null, 2)}\n`)
  await withLock(join(dir, '.merge.lock'), () => writeMergedReport(ROOT))
}

/** A lock file held while merging, so two workers finishing together cannot leave an incomplete merge. */
async function withLock(path: string, run: () => unknown): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    let fd: number
    try {
      fd = openSync(path, 'wx')
    } catch {
      // A lock older than 30 s belongs to a worker that died mid-merge.
      try {
        if (Date.now() - statSync(path).mtimeMs > 30_000) rmSync(path, { force: true })
      } catch {
        // removed by its owner meanwhile
      }
      await new Promise((r) => setTimeout(r, 25))
      continue
    }
    try {
      run()
    } finally {
      closeSync(fd)
      rmSync(path, { force: true })
    }
    return
  }
  throw new Error(`could not take ${path}`)
}
