// Admin: the README's metrics table, rendered from METRIC_DEFS (`npm run docs` writes it between
// `<!-- operating:metrics -->` markers; a unit test checks the README still matches).
import { METRIC_DEFS } from './metric-defs.js'

export const METRIC_TABLE_MARKERS = { begin: '<!-- operating:metrics -->', end: '<!-- /operating:metrics -->' } as const

export function renderMetricTable(): string {
  const rows = Object.values(METRIC_DEFS).map((def) => {
    const labels = def.labels.length === 0 ? '(none)' : def.labels.map((l) => `\`${l}\``).join(', ')
    return `| \`${def.name}\` | ${def.type} | ${labels} | ${def.help.replace(/\|/g, '\\|')} |`
  })
  return ['| Metric | Type | Labels | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** `readme` with the text between the markers replaced by the current table. */
export function withMetricTable(readme: string): string {
  const { begin, end } = METRIC_TABLE_MARKERS
  const from = readme.indexOf(begin)
  const to = readme.indexOf(end)
  if (from === -1 || to < from) throw new Error(`README.md has no ${begin} ... ${end} block`)
  return `${readme.slice(0, from + begin.length)}\n${renderMetricTable()}\n${readme.slice(to)}`
}
