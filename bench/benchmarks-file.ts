// Bench: keep BENCHMARKS.md's generated sections up to date. Only the text between a section's two markers is
// replaced (`bench:latest` by a full run, `bench:targets` by a full run and --check, `bench:soak` by --soak); the
// hand-written text around them is left alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './paths.js'

export function updateBenchmarksFile(section: string, name: 'latest' | 'targets' | 'soak' = 'latest'): string {
  const file = join(ROOT, 'BENCHMARKS.md')
  const start = `<!-- bench:${name}:start -->`
  const end = `<!-- bench:${name}:end -->`
  const block = `${start}\n${section.trim()}\n${end}`
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n'
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  const next = from === -1 || to === -1 ? `${text.trimEnd()}\n\n${block}\n` : text.slice(0, from) + block + text.slice(to + end.length)
  writeFileSync(file, next)
  return file
}
