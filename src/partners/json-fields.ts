// Who we trust: tolerant readers for metadata JSON, whose property names vary in case between publishers
// (`keyvalue` vs `keyValue`, docs/PROTOCOL.md §1.4/§7.9). Used by metadata-parse.ts and metadata-identity.ts.

/** A JSON object (not an array, not null), or undefined. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  return value as Record<string, unknown>
}

/**
 * The value of the first own property whose name equals `name` case-insensitively (docs/PROTOCOL.md §1.6 step 1),
 * or undefined when `container` is not an object or has no such property.
 */
export function getField(container: unknown, name: string): unknown {
  const obj = asObject(container)
  if (obj === undefined) return undefined
  const wanted = name.toLowerCase()
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === wanted) return obj[key]
  }
  return undefined
}

/** Like getField, but only a non-empty string counts; anything else is undefined. */
export function getString(container: unknown, name: string): string | undefined {
  const value = getField(container, name)
  return typeof value === 'string' && value.length > 0 ? value : undefined
}

/** Case-insensitive equality of an unknown JSON value with an expected keyword (`Signing`, `x509certificate`). */
export function isKeyword(value: unknown, keyword: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === keyword.toLowerCase()
}
