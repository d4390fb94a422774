// Config: a hint for a misspelt key ("unknown key (did you mean clockSkewSec?)"), used by walk.ts.

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase()
  const near =
    known.find((k) => k.toLowerCase() === lower) ??
    known.find((k) => editDistance(k, key) <= 2) ??
    // clockSkew -> clockSkewSec, timeout -> timeoutMs: the unit suffix is the usual thing forgotten.
    (lower.length >= 4 ? known.find((k) => k.toLowerCase().startsWith(lower)) : undefined)
  return near === undefined ? 'unknown key' : `unknown key (did you mean ${near}?)`
}

/** Levenshtein distance, two rows at a time. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length] ?? 0
}
