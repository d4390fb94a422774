// Unit: the status page's HTML helpers: escaping in text and attributes, the html`` template, times, sparkline.
import { describe, expect, it } from 'vitest'
import { ago, escapeHtml, html, Html, span, sparkline } from '../../../src/admin/html.js'

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['a & b', 'a &amp; b'],
    ['" onmouseover="x', '&quot; onmouseover=&quot;x'],
    ["it's", 'it&#39;s'],
    [42, '42'],
  ])('%s -> %s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected)
  })
})

describe('html``', () => {
  it('escapes interpolated values, keeps nested Html, joins arrays, drops empty values', () => {
    const name = '<b>x</b>'
    const inner = html`<i>${name}</i>`
    const out = html`<p title="${name}">${inner}${[html`<br>`, 'a<b']}${undefined}${null}${false}</p>`
    expect(out).toBeInstanceOf(Html)
    expect(out.text).toBe('<p title="&lt;b&gt;x&lt;/b&gt;"><i>&lt;b&gt;x&lt;/b&gt;</i><br>a&lt;b</p>')
  })
})

describe('ago and span', () => {
  const now = Date.parse('2026-01-01T12:00:00Z')
  it.each([
    ['2026-01-01T11:59:30Z', '30 s ago'],
    ['2026-01-01T11:57:00Z', '3 min ago'],
    ['2026-01-01T07:00:00Z', '5 h ago'],
    ['2025-12-20T12:00:00Z', '12 d ago'],
    ['2026-01-01T12:00:05Z', '0 s ago'], // a clock a little ahead is not "in the future"
  ])('%s -> %s', (at, expected) => {
    expect(ago(at, now)).toBe(expected)
  })

  it.each([[45, '45 s'], [720, '12 min'], [3 * 3600, '3 h'], [2 * 86_400, '2 d']])('%i s -> %s', (sec, expected) => {
    expect(span(sec)).toBe(expected)
  })
})

describe('sparkline', () => {
  it('draws one request bar and one rejection bar per minute, scaled to the busiest minute', () => {
    const svg = sparkline([0, 5, 10], [0, 0, 10]).text
    expect(svg.match(/class="req"/g)).toHaveLength(3)
    expect(svg).toContain('class="rej" x="14" y="0" width="6" height="24"')
    expect(svg).toContain('class="req" x="7" y="12" width="6" height="12"')
  })
})
