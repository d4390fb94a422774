// Config: documentation generated from schema.ts: `check-config --print-defaults` (every option, its default
// and doc) and config/gateway.example.yaml (the same, with example values and both partner forms).
import { parse } from 'yaml'
import { SCHEMA } from './schema.js'
import { defaultOf, describeOption, type Option, type SectionOption } from './options.js'

type Mode = 'defaults' | 'example'

const DEFAULTS_HEADER = [
  '# s2s-gateway: every option with its default (s2s-gateway check-config --print-defaults).',
  '# Options without a value have no default; those marked "Required." must be set.',
]

const EXAMPLE_HEADER = [
  '# s2s-gateway example configuration: every key, with what it does and its default.',
  '# Generated from src/schema/schema.ts; regenerate with',
  '#   s2s-gateway check-config --print-example > config/gateway.example.yaml',
  '# Relative paths are resolved against the directory of this file. A string value may name an environment',
  '# variable as ${NAME} (quote it inside { } or [ ]); $${ writes a literal ${.',
  '# Check a file with: s2s-gateway check-config --config <file>',
]

export function renderDefaultsYaml(): string {
  return render(DEFAULTS_HEADER, 'defaults')
}

export function renderExampleYaml(): string {
  return render(EXAMPLE_HEADER, 'example')
}

function render(header: string[], mode: Mode): string {
  const lines = [...header]
  for (const [key, option] of Object.entries(SCHEMA.fields)) {
    lines.push('')
    renderOption(key, option, undefined, '', mode, lines, new Set())
  }
  return lines.join('\n') + '\n'
}

/**
 * Append `key: value` for one option, with its doc comment above. `given` is the value from an example table
 * entry (only keys it has are shown); otherwise the default (mode 'defaults') or example value is shown.
 */
function renderOption(key: string, option: Option, given: unknown, pad: string, mode: Mode, lines: string[], documented: Set<string>): void {
  if (!documented.has(key)) lines.push(`${pad}# ${describeOption(option)}`)
  documented.add(key)
  if (option.type === 'section') {
    if (option.optional === true && given === undefined) {
      // Shown commented out: it is absent unless set, and setting it needs files.
      const inner: string[] = []
      renderSection(option, undefined, '  ', 'example', inner)
      lines.push(`${pad}# ${key}:`, ...inner.map((line) => `${pad}# ${line}`))
      return
    }
    lines.push(`${pad}${key}:`)
    renderSection(option, given, `${pad}  `, mode, lines)
    return
  }
  if (option.type === 'table') {
    // A table inside an example entry (partners[].permissions) shows that entry's own list.
    const entries = Array.isArray(given) ? given.map((value: Readonly<Record<string, unknown>>) => ({ value })) : mode === 'example' ? option.examples : [{ value: undefined }]
    if (option.optional === true && entries.every((e) => e.value === undefined)) {
      // Shown commented out: absent unless set, and absent differs from [] (partners[].permissions).
      const inner: string[] = []
      renderSection(option.item, undefined, '    ', 'example', inner)
      const first = inner.findIndex((line) => !line.trimStart().startsWith('#'))
      lines.push(`${pad}# ${key}:`, ...inner.map((line, i) => `${pad}#${i === first ? `   - ${line.trimStart()}` : ` ${line}`}`))
      return
    }
    lines.push(`${pad}${key}:${entries.length === 0 ? ' []' : ''}`)
    const seen = new Set<string>()
    for (const [n, entry] of entries.entries()) {
      if (n > 0) lines.push('')
      const item: string[] = []
      if ('comment' in entry && entry.comment !== undefined) item.push(`${pad}    # ${entry.comment}`)
      renderSection(option.item, entry.value, `${pad}    `, mode, item, seen)
      const first = item.findIndex((line) => !line.trimStart().startsWith('#'))
      lines.push(...item.map((line, i) => (i < first ? `${pad}  ${line.trimStart()}` : i === first ? `${pad}  - ${line.trimStart()}` : line)))
    }
    return
  }
  const value = given !== undefined ? given : mode === 'example' && 'example' in option && option.example !== undefined ? option.example : defaultOf(option)
  lines.push(value === undefined ? `${pad}${key}:` : `${pad}${key}: ${scalar(value)}`)
}

function renderSection(section: SectionOption, given: unknown, pad: string, mode: Mode, lines: string[], documented = new Set<string>()): void {
  const values = given as Record<string, unknown> | undefined
  for (const [key, option] of Object.entries(section.fields)) {
    if (values !== undefined && !(key in values)) continue
    renderOption(key, option, values?.[key], pad, mode, lines, documented)
  }
}

/** A YAML scalar or flow list, quoted only when plain text would read back as something else. */
function scalar(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(scalar).join(', ')}]`
  if (typeof value !== 'string') return String(value)
  const plain = /^[A-Za-z0-9_./<>~-][A-Za-z0-9_./:<>~@ -]*$/.test(value) && !/: | $/.test(value) && parse(value) === value
  return plain ? value : JSON.stringify(value)
}
