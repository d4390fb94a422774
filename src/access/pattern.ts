// Access: path patterns (issue 10). Absolute paths; `*` matches any characters within one segment; `**` as a
// whole segment matches zero or more segments. No regexes: every pattern is checked by patternProblem() and
// compiled once per configuration into segment matchers; matching is linear-time backtracking (no blow-up).
import { foldAscii } from './normalize.js'

type SegmentMatcher = string | { glob: string } | typeof ANY_SEGMENTS
const ANY_SEGMENTS = '**' as const

export interface CompiledPattern {
  readonly text: string
  matches(segments: readonly string[]): boolean
}

// Printable ASCII only; what a path guard refuses, or a matcher would have to guess about, is a config error.
const ALLOWED = /^[\x21-\x7e]*$/

/** Why a pattern is refused, or undefined when it is usable. */
export function patternProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return 'must be an absolute path (start with /)'
  if (!ALLOWED.test(pattern)) return 'may hold printable ASCII only (no spaces or other characters; use * for them)'
  for (const [c, why] of [['%', 'percent-encoding (write the decoded path)'], ['?', 'a query (matching never sees it)'], ['#', 'a fragment'], ['\\', 'a backslash'], [';', 'segment parameters (the matcher drops them from paths)']] as const) {
    if (pattern.includes(c)) return `must not contain ${why}`
  }
  if (pattern.includes('//')) return 'must not contain an empty segment (//)'
  for (const segment of pattern.split('/').slice(1)) {
    if (segment === '.' || segment === '..') return 'must not contain . or .. segments'
    if (segment.includes('**') && segment !== '**') return '** must be a whole segment (/a/**/b), not part of one'
  }
  return undefined
}

function compileSegment(segment: string, fold: boolean): SegmentMatcher {
  if (segment === ANY_SEGMENTS) return ANY_SEGMENTS
  const text = fold ? foldAscii(segment) : segment
  return text.includes('*') ? { glob: text } : text
}

/** `*` within one segment: the classic wildcard walk with one backtrack point, O(n*m). */
export function globMatches(glob: string, text: string): boolean {
  let g = 0
  let t = 0
  let star = -1
  let mark = 0
  while (t < text.length) {
    if (g < glob.length && glob[g] !== '*' && glob[g] === text[t]) {
      g++
      t++
    } else if (g < glob.length && glob[g] === '*') {
      star = g++
      mark = t
    } else if (star !== -1) {
      g = star + 1
      t = ++mark
    } else {
      return false
    }
  }
  while (g < glob.length && glob[g] === '*') g++
  return g === glob.length
}

function segmentMatches(matcher: Exclude<SegmentMatcher, typeof ANY_SEGMENTS>, segment: string): boolean {
  return typeof matcher === 'string' ? matcher === segment : globMatches(matcher.glob, segment)
}

/** The same walk one level up: segments are the characters and `**` is the star. */
function segmentsMatch(pattern: readonly SegmentMatcher[], segments: readonly string[]): boolean {
  let p = 0
  let s = 0
  let star = -1
  let mark = 0
  while (s < segments.length) {
    const m = pattern[p]
    if (m !== undefined && m !== ANY_SEGMENTS && segmentMatches(m, segments[s] as string)) {
      p++
      s++
    } else if (m === ANY_SEGMENTS) {
      star = p++
      mark = s
    } else if (star !== -1) {
      p = star + 1
      s = ++mark
    } else {
      return false
    }
  }
  while (pattern[p] === ANY_SEGMENTS) p++
  return p === pattern.length
}

/** Compile a pattern patternProblem() accepted. `fold`: compare ASCII case-insensitively (access.caseInsensitivePaths). */
export function compilePattern(pattern: string, fold: boolean): CompiledPattern {
  const parts = pattern.split('/').slice(1)
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop() // `/api/org/` is `/api/org`, like paths
  const matchers = parts.map((segment) => compileSegment(segment, fold))
  // Without **, a path matches only with exactly as many segments; with it, at least the others: checked first,
  // since most entries of a long list are refused by it (issue 10: 50 permissions within 5% of CPU).
  const fixed = matchers.filter((m) => m !== ANY_SEGMENTS).length
  const exact = fixed === matchers.length
  return {
    text: pattern,
    matches: (segments) => (exact ? segments.length === fixed : segments.length >= fixed) && segmentsMatch(matchers, segments),
  }
}
