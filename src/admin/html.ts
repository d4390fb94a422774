// Admin: the few HTML helpers the status page needs. Every dynamic value passes through escapeHtml, in text
// and in attributes alike (partner names are restricted, but URLs, subjects and error codes are not).

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
}

/** Tagged template: interpolated values are escaped unless they are Html (already built by this module). */
export class Html {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
  toString(): string {
    return this.text
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? ''
  values.forEach((value, i) => {
    out += renderValue(value) + (strings[i + 1] ?? '')
  })
  return new Html(out)
}

function renderValue(value: unknown): string {
  if (value instanceof Html) return value.text
  if (Array.isArray(value)) return value.map(renderValue).join('')
  if (value === undefined || value === null || value === false) return ''
  return escapeHtml(value)
}

/** "42 s ago", "3 min ago", "5 h ago", "12 d ago". */
export function ago(atIso: string, nowMs: number): string {
  return `${span(Math.max(0, Math.round((nowMs - Date.parse(atIso)) / 1000)))} ago`
}

/** A duration in seconds as "45 s", "12 min", "3 h", "2 d". */
export function span(sec: number): string {
  if (sec < 90) return `${sec} s`
  if (sec < 90 * 60) return `${Math.round(sec / 60)} min`
  if (sec < 36 * 3600) return `${Math.round(sec / 3600)} h`
  return `${Math.round(sec / 86_400)} d`
}

/** Inline SVG bars for per-minute counts (oldest first); rejections drawn over requests in red. */
export function sparkline(requests: readonly number[], rejections: readonly number[]): Html {
  const max = Math.max(1, ...requests)
  const w = 6
  const h = 24
  const bars = requests.map((n, i) => {
    const rh = Math.round(((n / max) * h) * 10) / 10
    const xh = Math.round((((rejections[i] ?? 0) / max) * h) * 10) / 10
    const x = i * (w + 1)
    return html`<rect class="req" x="${x}" y="${h - rh}" width="${w}" height="${rh}"/><rect class="rej" x="${x}" y="${h - xh}" width="${w}" height="${xh}"/>`
  })
  const width = requests.length * (w + 1)
  return html`<svg class="spark" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="requests per minute">${bars}</svg>`
}
