// Token validation, decoding helper: strict UTF-8 and JSON for token segments, refusing duplicate member names.
// Duplicates would let two parsers read different claims from the same bytes (issue 5, "duplicate JSON keys").

/** fatal: invalid UTF-8 is an error, not U+FFFD. Created once, reused (stateless between decode calls). */
const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** A decoded JSON object: never an array, never null. */
export type JsonObject = Record<string, unknown>

/**
 * Count the members of the top-level object of JSON text that JSON.parse already accepted: every ':' at
 * depth 1 outside a string separates one member name from its value.
 */
function countTopLevelMembers(text: string): number {
  let depth = 0
  let inString = false
  let members = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) depth++
    else if (c === 0x7d || c === 0x5d) depth--
    else if (c === 0x3a && depth === 1) members++
  }
  return members
}

/**
 * Parse bytes as a UTF-8 JSON object with unique top-level member names.
 * @returns undefined for anything else (invalid UTF-8 or JSON, an array, null, a scalar, a duplicate name).
 *   Never throws: JSON.parse messages quote the input, and token text must not reach logs.
 */
export function parseJsonObject(bytes: Uint8Array): JsonObject | undefined {
  let value: unknown
  let text: string
  try {
    text = UTF8.decode(bytes)
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const object = value as JsonObject
  if (countTopLevelMembers(text) !== Object.keys(object).length) return undefined
  return object
}
