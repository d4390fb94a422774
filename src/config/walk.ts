// Config: the strict, schema-driven pass of load.ts. Fills defaults, resolves `${NAME}` and relative paths,
// and reports unknown keys, wrong types and out-of-range numbers. Invalid values become placeholders so the
// semantic checks (check-*.ts) can still run over the rest; any problem fails the load in the end.
import { isAbsolute, resolve } from 'node:path'
import { defaultOf, type ConfigOf, type Option, type SectionOption } from '../schema/index.js'
import { childPath, type ProblemCollector } from './problems.js'
import { substituteEnv, type Env } from './env.js'
import { unknownKeyMessage } from './suggest.js'

export interface WalkContext {
  env: Env
  /** Directory relative file paths are resolved against: the config file's. */
  baseDir: string
  out: ProblemCollector
}

const isMapping = (raw: unknown): raw is Record<string, unknown> =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw)

/**
 * The mapping `raw` checked against `section`, defaults filled in. The overload is the one place where the walked
 * value meets the type derived from the same schema (derive.ts: ConfigOf); TypeScript cannot follow a loop over
 * Object.entries, and test/unit/config/derive.test.ts checks that the two agree. Keys marked setByCheck are
 * still absent here: load.ts runs the checks that fill them before the configuration is handed out.
 */
export function walkSection<const S extends SectionOption>(section: S, raw: unknown, path: string, ctx: WalkContext): ConfigOf<S>
export function walkSection(section: SectionOption, raw: unknown, path: string, ctx: WalkContext): Record<string, unknown> {
  const given: Record<string, unknown> = isMapping(raw) ? raw : {}
  if (raw !== undefined && raw !== null && !isMapping(raw)) ctx.out.invalid(path, 'must be a mapping')
  const known = Object.keys(section.fields)
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(section.fields, key)) ctx.out.invalid(childPath(path, key), unknownKeyMessage(key, known))
  }
  const out: Record<string, unknown> = {}
  for (const [key, option] of Object.entries(section.fields)) {
    const value = walkValue(option, given[key], childPath(path, key), ctx)
    if (value !== undefined) out[key] = value
  }
  return out
}

function walkValue(option: Option, raw: unknown, path: string, ctx: WalkContext): unknown {
  if (raw === undefined || raw === null) {
    if (option.required === true) return fail(ctx, path, 'is required', option)
    if (option.type === 'section' && option.optional !== true) return walkSection(option, {}, path, ctx)
    return defaultOf(option)
  }
  switch (option.type) {
    case 'string': {
      const value = readString(raw, path, ctx)
      if (value === undefined) return placeholder(option)
      if (option.values !== undefined && !option.values.includes(value)) {
        return fail(ctx, path, `must be one of ${option.values.join(', ')}`, option)
      }
      return value
    }
    case 'file': {
      const value = readString(raw, path, ctx)
      return value === undefined ? '' : resolvePath(ctx.baseDir, value)
    }
    case 'integer':
      return readInteger(option, raw, path, ctx) ?? option.default
    case 'boolean':
      return readBoolean(raw, path, ctx) ?? option.default
    case 'string[]':
    case 'file[]': {
      if (!Array.isArray(raw)) return fail(ctx, path, 'must be a list of strings', option)
      if (raw.length < (option.minItems ?? 0)) return fail(ctx, path, atLeast(option.minItems ?? 0), option)
      return raw.map((item, i) => {
        const value = readString(item, childPath(path, i), ctx) ?? ''
        return option.type === 'file[]' && value !== '' ? resolvePath(ctx.baseDir, value) : value
      })
    }
    case 'section':
      return walkSection(option, raw, path, ctx)
    case 'table': {
      if (!Array.isArray(raw)) return fail(ctx, path, 'must be a list of mappings', option)
      if (raw.length < (option.minItems ?? 0)) return fail(ctx, path, atLeast(option.minItems ?? 0), option)
      return raw.map((item, i) => walkSection(option.item, item, childPath(path, i), ctx))
    }
  }
}

function fail(ctx: WalkContext, path: string, message: string, option: Option): unknown {
  ctx.out.invalid(path, message)
  return placeholder(option)
}

/** A value of the right type standing in for an invalid one, so later checks do not trip over it. */
function placeholder(option: Option): unknown {
  switch (option.type) {
    case 'string':
      return option.default ?? ''
    case 'file':
      return ''
    case 'string[]':
    case 'file[]':
    case 'table':
      return []
    case 'section':
      return {}
    default:
      return option.default
  }
}

function readString(raw: unknown, path: string, ctx: WalkContext): string | undefined {
  if (typeof raw !== 'string') {
    ctx.out.invalid(path, 'must be a string')
    return undefined
  }
  const resolved = substituteEnv(raw, ctx.env)
  if (!resolved.ok) return void ctx.out.invalid(path, resolved.message)
  if (resolved.value === '') return void ctx.out.invalid(path, 'must not be empty')
  return resolved.value
}

/** Numbers are YAML numbers; a string is accepted only when it came from `${NAME}` (env values are text). */
function readInteger(option: Option & { type: 'integer' }, raw: unknown, path: string, ctx: WalkContext): number | string | undefined {
  if (typeof raw === 'string' && option.keywords?.includes(raw) === true) return raw
  let value = raw
  if (typeof raw === 'string' && raw.includes('${')) {
    const resolved = substituteEnv(raw, ctx.env)
    if (!resolved.ok) return void ctx.out.invalid(path, resolved.message)
    value = /^-?\d+$/.test(resolved.value.trim()) ? Number(resolved.value) : resolved.value
    if (option.keywords?.includes(resolved.value.trim()) === true) return resolved.value.trim()
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return void ctx.out.invalid(path, option.keywords === undefined ? 'must be an integer' : `must be an integer or ${option.keywords.join(', ')}`)
  const { min, max } = option
  if (value < min || (max !== undefined && value > max)) {
    return void ctx.out.invalid(path, max === undefined ? `must be at least ${min}` : `must be between ${min} and ${max}`)
  }
  return value
}

function readBoolean(raw: unknown, path: string, ctx: WalkContext): boolean | undefined {
  if (typeof raw === 'boolean') return raw
  if (typeof raw === 'string' && raw.includes('${')) {
    const resolved = substituteEnv(raw, ctx.env)
    if (!resolved.ok) return void ctx.out.invalid(path, resolved.message)
    if (resolved.value === 'true' || resolved.value === 'false') return resolved.value === 'true'
  }
  return void ctx.out.invalid(path, 'must be true or false')
}

function resolvePath(baseDir: string, value: string): string {
  return isAbsolute(value) ? value : resolve(baseDir, value)
}

const atLeast = (n: number): string => (n === 1 ? 'must list at least one entry' : `must list at least ${n} entries`)
