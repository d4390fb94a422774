// Config: the configuration's TypeScript types, read from schema.ts at compile time. GatewayConfig (types.ts) and
// DEFAULTS (schema.ts) are derived here, so a key added to the schema reaches the code's types with nothing else
// to edit, and no second description of the shape can drift from the first.
//
// These types read option descriptions structurally ({ type: 'integer', default: ... }), so this file needs no
// import from options.ts (which imports it): the schema's helpers keep literal types (const type parameters in
// schema.ts) for `type`, `values`, `keywords`, `required`, `optional` and `setByCheck` to be visible here.

/** The value of one option once loaded: its type, narrowed by `values` (a union) or `keywords` (number | word). */
export type ValueOf<O> =
  O extends { type: 'string'; values: ReadonlyArray<infer V> } ? V
  : O extends { type: 'string' | 'file' } ? string
  : O extends { type: 'integer'; keywords: ReadonlyArray<infer K> } ? number | K
  : O extends { type: 'integer' } ? number
  : O extends { type: 'boolean' } ? boolean
  : O extends { type: 'string[]' | 'file[]' } ? string[]
  : O extends { type: 'section'; fields: infer F } ? ConfigOfFields<F>
  : O extends { type: 'table'; item: { fields: infer F } } ? Array<ConfigOfFields<F>>
  : never

/**
 * Whether a loaded configuration always has the key: it is required, has a default, is a section or table that
 * is not optional (both default to empty), or is filled in by a check (`setByCheck`). Anything else may be absent.
 */
export type IsAlwaysSet<O> =
  O extends { required: true } | { default: unknown } | { setByCheck: true } ? true
  : O extends { type: 'section' | 'table' } ? (O extends { optional: true } ? false : true)
  : false

type Flatten<T> = { [K in keyof T]: T[K] }

type SetKeys<F> = { [K in keyof F]: IsAlwaysSet<F[K]> extends true ? K : never }[keyof F]

/** A section's fields as an object type: always-set keys required, the others optional (exactOptionalPropertyTypes). */
export type ConfigOfFields<F> = Flatten<
  { -readonly [K in SetKeys<F>]: ValueOf<F[K]> } & { -readonly [K in Exclude<keyof F, SetKeys<F>>]?: ValueOf<F[K]> }
>

/** The loaded, checked configuration a section (the whole SCHEMA, or PARTNER_SCHEMA) describes. */
export type ConfigOf<S> = S extends { type: 'section'; fields: infer F } ? ConfigOfFields<F> : never

/** What one option contributes to DEFAULTS, or never when it has no default (required, optional, computed). */
export type DefaultOf<O> =
  O extends { type: 'section'; fields: infer F } ? (O extends { optional: true } ? never : DefaultsOfFields<F>)
  : O extends { type: 'table' } ? (O extends { optional: true } ? never : [])
  : O extends { default: unknown } ? ValueOf<O>
  : never

type DefaultKeys<F> = { [K in keyof F]: [DefaultOf<F[K]>] extends [never] ? never : K }[keyof F]

export type DefaultsOfFields<F> = { -readonly [K in DefaultKeys<F>]: DefaultOf<F[K]> }

/** Every default of a section, nested like its configuration (options.ts: defaultsOfSection builds the value). */
export type DefaultsOf<S> = S extends { type: 'section'; fields: infer F } ? DefaultsOfFields<F> : never
