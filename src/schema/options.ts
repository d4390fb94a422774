// Config: the vocabulary schema.ts is written in. Each option is data (type, default, unit, range, doc), so
// DEFAULTS, the strict loader (walk.ts) and the generated YAML docs (render.ts) all read the same description.
import type { DefaultsOf } from './derive.js'

/** Shown after the default in generated docs: "Default: 300 (seconds)." */
export type Unit = 'ms' | 'seconds' | 'bytes' | 'entries' | 'sockets' | 'requests' | 'requests/s' | 'connections' | 'percent'

interface OptionBase {
  /** One line: what the option does and why you would change it. */
  doc: string
  /** Absent (or null) in the YAML is an error. */
  required?: boolean
  /** For options whose default is computed from others: how the docs describe it. */
  defaultText?: string
  /**
   * A semantic check (check-*.ts) fills the key in when the YAML omits it, so a loaded configuration always has
   * it (derive.ts then types it as always set). Only for keys whose check really does; a `defaultText` alone
   * (limits.burst: computed where it is used) leaves the key optional.
   */
  setByCheck?: true
}

export interface StringOption extends OptionBase {
  type: 'string'
  default?: string
  /** When set, the value must be one of these. */
  values?: readonly string[]
  example?: string
}

/** A file path: relative paths are resolved against the config file's directory. */
export interface FileOption extends OptionBase {
  type: 'file'
  example?: string
}

export interface IntegerOption extends OptionBase {
  type: 'integer'
  /** Absent: the key stays unset unless given (an optional limit, say). */
  default?: number
  unit?: Unit
  min: number
  max?: number
  example?: number
  /** Words accepted instead of a number (workers: auto); the value is then that string. */
  keywords?: readonly string[]
}

export interface BooleanOption extends OptionBase {
  type: 'boolean'
  default: boolean
  example?: boolean
}

export interface ListOption extends OptionBase {
  type: 'string[]' | 'file[]'
  default?: readonly string[]
  /** At least this many entries when given (or when required). */
  minItems?: number
  example?: readonly string[]
}

/** `F`: the fields with their literal types when schema.ts builds the section (derive.ts reads them). */
export interface SectionOption<F extends Readonly<Record<string, Option>> = Readonly<Record<string, Option>>> extends OptionBase {
  type: 'section'
  fields: F
  /** Absent unless the YAML gives it (listen.inbound.tls); otherwise always present with defaults. */
  optional?: boolean
}

/** A list of mappings (partners, issuer.certificates). Its default is always []. */
export interface TableOption extends OptionBase {
  type: 'table'
  item: SectionOption
  minItems?: number
  /** Absent unless the YAML gives it (partners[].permissions: absent and [] differ); otherwise [] by default. */
  optional?: boolean
  /** Entries the example config shows, each with an optional leading comment. */
  examples: ReadonlyArray<{ comment?: string; value: Readonly<Record<string, unknown>> }>
}

export type Option = StringOption | FileOption | IntegerOption | BooleanOption | ListOption | SectionOption | TableOption

/** The default a missing option takes, or undefined when it has none (required, or optional and absent). */
export function defaultOf(option: Option): unknown {
  switch (option.type) {
    case 'section':
      return option.optional === true ? undefined : defaultsOfSection(option)
    case 'table':
      return option.optional === true ? undefined : []
    case 'string[]':
    case 'file[]':
      return option.default === undefined ? undefined : [...option.default]
    case 'file':
      return undefined
    default:
      return option.default
  }
}

/**
 * Every default of a section, nested; options without a default are left out. The overload is where the value
 * built by walking the fields meets its type derived from the same fields (derive.ts: DefaultsOf); TypeScript
 * cannot follow a loop over Object.entries, and test/unit/config/derive.test.ts checks that the two agree.
 */
export function defaultsOfSection<const S extends SectionOption>(section: S): DefaultsOf<S>
export function defaultsOfSection(section: SectionOption): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, option] of Object.entries(section.fields)) {
    const value = defaultOf(option)
    if (value !== undefined) out[key] = value
  }
  return out
}

/** The comment line generated docs put above an option: doc, then default and unit, or "Required." */
export function describeOption(option: Option): string {
  const text = option.doc.endsWith('.') ? option.doc : `${option.doc}.`
  if (option.required === true) return `${text} Required.`
  if (option.defaultText !== undefined) return `${text} Default: ${option.defaultText}.`
  if (option.type === 'section' || option.type === 'file') return text
  if (option.type === 'table') return `${text} Default: none.`
  const value = defaultOf(option)
  if (value === undefined) return text
  const shown = Array.isArray(value) ? (value.length === 0 ? 'none' : value.join(', ')) : String(value)
  const notes: string[] = []
  if (option.type === 'integer' && option.unit !== undefined) notes.push(option.unit)
  if (option.type === 'string' && option.values !== undefined) notes.push(`one of ${option.values.join(' | ')}`)
  return `${text} Default: ${shown}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}.`
}
