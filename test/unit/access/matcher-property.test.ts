// Property: no spelling of a path gets past a pattern that the backend reads differently. A path the matcher
// allows, decoded the way Node's HTTP server (not at all) and a typical backend (drop `;` parameters, then
// decodeURIComponent per segment) decode it, still matches the same pattern, segment for segment.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compilePattern, pathSegments } from '../../../src/access/index.js'
import { findPathProblem } from '../../../src/inbound/path-guard.js'

const LETTERS = ['a', 'b', 'A', 'B', 'x', '1', '2', '0', '-', '.', '_', '~', ':', '@', '!']
const patternSegment = fc.oneof(
  fc.constantFrom('**', '*', 'a', 'b', 'ab', 'A', 'x-*', '*b', 'a*b', '2*', '*20', '*3A', 'a.b', '~'),
)
const pattern = fc.array(patternSegment, { minLength: 0, maxLength: 4 }).map((segments) => `/${segments.join('/')}`)

const escape = (c: string): string => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`
const pathChar = fc.oneof(
  fc.constantFrom(...LETTERS),
  fc.constantFrom(...LETTERS).map(escape),
  fc.constantFrom(...LETTERS).map((c) => escape(c).toUpperCase()),
  fc.constantFrom('%20', '%3A', '%3a', '%40', '%25', '%C3%A4', '%3B', '%2e'),
)
const pathSegment = fc.tuple(fc.array(pathChar, { minLength: 0, maxLength: 5 }), fc.option(fc.constantFrom(';x', ';a=b', ';', ';%20'))).map(
  ([chars, param]) => chars.join('') + (param ?? ''),
)
const path = fc.tuple(fc.array(pathSegment, { minLength: 0, maxLength: 5 }), fc.boolean(), fc.option(fc.constantFrom('?a=/b', '?x'))).map(
  ([segments, slash, query]) => `/${segments.join('/')}${slash && segments.length > 0 ? '/' : ''}${query ?? ''}`,
)

/** A servlet-style backend: parameters dropped, then each segment decoded; trailing slash insignificant. */
function backendSegments(raw: string, fold: boolean): string[] {
  const parts = raw.split('?')[0]!.split('/').slice(1)
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts.map((s) => {
    const decoded = decodeURIComponent(s.split(';')[0]!)
    return fold ? decoded.replace(/[A-Z]/g, (c) => c.toLowerCase()) : decoded
  })
}

describe('the matcher and a decoding backend agree', () => {
  it.each([false, true])('caseInsensitivePaths %s: an allowed path still matches once decoded', (fold) => {
    fc.assert(
      fc.property(pattern, path, (p, raw) => {
        fc.pre(findPathProblem(raw) === undefined) // what the path guard refuses never reaches the matcher
        const segments = pathSegments(raw, fold)
        const compiled = compilePattern(p, fold)
        if (segments === undefined || !compiled.matches(segments)) return
        expect(compiled.matches(backendSegments(raw, fold))).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })

  it('allows paths often enough for the property to mean something', () => {
    let allowed = 0
    fc.assert(
      fc.property(pattern, path, (p, raw) => {
        const segments = pathSegments(raw, false)
        if (segments !== undefined && compilePattern(p, false).matches(segments)) allowed++
      }),
      // A fixed seed: this checks the generators, so it must not depend on the draw (119 of 2,000 pairs match with it).
      { numRuns: 2000, seed: 10 },
    )
    expect(allowed).toBeGreaterThan(50)
  })
})
