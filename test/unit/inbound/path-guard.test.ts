import { describe, expect, it } from 'vitest'
import { findPathProblem, rawPathOf } from '../../../src/inbound/path-guard.js'

describe('findPathProblem', () => {
  it.each([
    ['/', undefined],
    ['/api/items', undefined],
    ['/api/items?x=%2F&y=..', undefined],
    ['/api/items;jsessionid=1', undefined],
    ['/api/a%20b', undefined],
    ['/api/%41', undefined],
    ['/api/..x/...', undefined],
    ['/api/.well-known', undefined],
    ['http://h/x', 'not_origin_form'],
    ['*', 'not_origin_form'],
    ['', 'not_origin_form'],
    ['/a#b', 'fragment'],
    ['/a?b#c', 'fragment'],
    ['/a\\b', 'backslash'],
    ['/a//b', 'empty_segment'],
    ['//a', 'empty_segment'],
    ['/a/%2f', 'encoded_separator'],
    ['/a/%5C', 'encoded_separator'],
    ['/a/.', 'dot_segment'],
    ['/a/./b', 'dot_segment'],
    ['/a/../b', 'dot_segment'],
    ['/a/%2e/b', 'dot_segment'],
    ['/a/%2E%2e/b', 'dot_segment'],
    ['/a/.%2e', 'dot_segment'],
    ['/a/%zz', 'bad_encoding'],
    ['/a/%4', 'bad_encoding'],
    ['/a/%00', 'bad_encoding'],
    ['/a/%C0%AF', 'bad_encoding'], // no UTF-8: an overlong `/`
    ['/a/%E0%80', 'bad_encoding'], // a cut-off sequence
  ])('%s -> %s', (url, problem) => {
    expect(findPathProblem(url)).toBe(problem)
  })

  it('rawPathOf drops only the query', () => {
    expect(rawPathOf('/a;b?c=d?e')).toBe('/a;b')
    expect(rawPathOf('/a')).toBe('/a')
  })
})

describe('findPathProblem with paramDotSegments (inbound, issue 10)', () => {
  it.each(['/a/..;/b', '/a/.;x=1/b', '/a/%2e%2e;jsessionid=1'])('refuses %s, which a servlet container resolves as a dot segment', (url) => {
    expect(findPathProblem(url, { paramDotSegments: true })).toBe('dot_segment')
    expect(findPathProblem(url)).toBeUndefined() // the outbound listener keeps it as a path at the partner
  })

  it('still accepts parameters on ordinary segments', () => {
    expect(findPathProblem('/a;jsessionid=1/b;v=2', { paramDotSegments: true })).toBeUndefined()
  })
})
