// Bench: keep BENCHMARKS.md's latest-summary section up to date. Only the text between the two markers is
// replaced; the hand-written history of changes and profiles around it is left alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './paths.js'

const START = '<!-- bench:latest:start -->'
const END = '<!-- bench:latest:end -->'

export function updateBenchmarksFile(section: string): string {
  const file = join(ROOT, 'BENCHMARKS.md')
  const block = `${START}\n${section.trim()}\n${END}`
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n## Latest run\n\n${START}\n${END}\n`
  const from = text.indexOf(START)
  const to = text.indexOf(END)
  const next = from === -1 || to === -1 ? `${text.trimEnd()}\n\n## Latest run\n\n${block}\n` : text.slice(0, from) + block + text.slice(to + END.length)
  writeFileSync(file, next)
  return file
}
