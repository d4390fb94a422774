// Unit: the README's metrics table is the one rendered from METRIC_DEFS (`npm run docs` rewrites it), and every
// name follows the s2s_gateway_<thing>_<unit|total> convention.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { METRIC_DEFS } from '../../../src/admin/metric-defs.js'
import { renderMetricTable, withMetricTable } from '../../../src/admin/metric-table.js'

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

describe('the README metrics table', () => {
  it('matches METRIC_DEFS (run npm run docs after changing a metric)', () => {
    expect(withMetricTable(README)).toBe(README)
  })

  it('lists every metric with its labels', () => {
    const table = renderMetricTable()
    for (const def of Object.values(METRIC_DEFS)) expect(table).toContain(`| \`${def.name}\` | ${def.type} |`)
  })

  it('refuses a README without the markers', () => {
    expect(() => withMetricTable('# no table here\n')).toThrow('operating:metrics')
  })
})

describe('metric names', () => {
  it.each(Object.values(METRIC_DEFS).map((d) => [d.name, d]))('%s follows the naming convention', (name, def) => {
    expect(name).toMatch(/^s2s_gateway_[a-z_]+$/)
    if (def.type === 'counter') expect(name).toMatch(/_total$/)
    if (def.type === 'histogram') expect(name).toMatch(/_seconds$/)
    for (const label of def.labels) expect(label).toMatch(/^[a-z][a-z0-9_]*$/)
  })
})
