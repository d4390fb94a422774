import { describe, expect, it } from 'vitest'
import { compilePattern, pathSegments, patternProblem } from '../../../src/access/index.js'

const matches = (pattern: string, path: string, fold = false): boolean => {
  const segments = pathSegments(path, fold)
  return segments !== undefined && compilePattern(pattern, fold).matches(segments)
}

describe('path patterns', () => {
  it.each([
    ['/api/people/**', '/api/people', true],
    ['/api/people/**', '/api/people/', true],
    ['/api/people/**', '/api/people/7/photo', true],
    ['/api/people/**', '/api/peoplex', false],
    ['/api/people/**', '/api/peoplex/7', false],
    ['/api/people/**', '/api', false],
    ['/api/**/photo', '/api/photo', true],
    ['/api/**/photo', '/api/people/7/photo', true],
    ['/api/**/photo', '/api/people/7/photos', false],
    ['/api/**/photo', '/api/people/photo/7', false],
    ['/**', '/', true],
    ['/**', '/anything/at/all', true],
    ['/', '/', true],
    ['/', '/x', false],
    ['/api/*/photo', '/api/7/photo', true],
    ['/api/*/photo', '/api/7/8/photo', false],
    ['/api/*/photo', '/api//photo', true],
    ['/api/item-*.json', '/api/item-7.json', true],
    ['/api/item-*.json', '/api/item-7.xml', false],
    ['/api/org', '/api/org', true],
    ['/api/org', '/api/org/', true],
    ['/api/org/', '/api/org', true],
    ['/api/org', '/api/org/x', false],
    ['/api/org', '/api/organisation', false],
    ['/api/org', '/api', false],
  ])('%s against %s: %s', (pattern, path, expected) => {
    expect(matches(pattern, path)).toBe(expected)
  })

  it('compares case exactly unless asked to fold ASCII case', () => {
    expect(matches('/api/People/**', '/API/people/7')).toBe(false)
    expect(matches('/api/People/**', '/API/people/7', true)).toBe(true)
    // U+212A KELVIN SIGN lowercases to "k" in Unicode: it must not pass for the letter.
    expect(matches('/api/key', '/api/\u212Aey', true)).toBe(false)
  })

  it('decodes percent-encoded unreserved characters (RFC 3986 §6.2.2.2) and nothing else', () => {
    expect(matches('/api/people', '/api/%70eople')).toBe(true)
    expect(matches('/api/people', '/api/%70EOPLE', true)).toBe(true)
    expect(matches('/api/a-b_c.d~e', '/api/a%2Db%5Fc%2ed%7Ee')).toBe(true)
    // A reserved or other escape is one opaque character: only a * can match it, never its hex digits.
    expect(matches('/api/*20', '/api/x%20')).toBe(false)
    expect(matches('/api/x*', '/api/x%20')).toBe(true)
    expect(matches('/api/a:b', '/api/a%3Ab')).toBe(false)
  })

  it('drops segment parameters, as servlet containers do', () => {
    expect(matches('/api/admin/**', '/api/admin;x/users')).toBe(true)
    expect(matches('/api/admin/users', '/api/admin;jsessionid=1/users;v=2')).toBe(true)
    expect(pathSegments('/api/people/..;/admin', false)).toBeUndefined()
    expect(pathSegments('/api/%2e%2e;x/admin', false)).toBeUndefined()
  })

  it('never sees the query string or a fragment', () => {
    expect(matches('/api/people', '/api/people?x=/api/admin')).toBe(true)
    expect(matches('/api/admin/**', '/api/people?path=/api/admin/x')).toBe(false)
    expect(matches('/api/people/**', '/api/people#/../admin')).toBe(true)
  })
})

describe('patternProblem', () => {
  it.each([
    ['api/x', 'must be an absolute path (start with /)'],
    ['/api/%70eople', 'must not contain percent-encoding (write the decoded path)'],
    ['/api/../admin', 'must not contain . or .. segments'],
    ['/api/./x', 'must not contain . or .. segments'],
    ['/api//x', 'must not contain an empty segment (//)'],
    ['/api?x', 'must not contain a query (matching never sees it)'],
    ['/api#x', 'must not contain a fragment'],
    ['/api/a**', '** must be a whole segment (/a/**/b), not part of one'],
    ['/api/**x/y', '** must be a whole segment (/a/**/b), not part of one'],
    ['/api/x;y', 'must not contain segment parameters (the matcher drops them from paths)'],
    ['/api/a b', 'may hold printable ASCII only (no spaces or other characters; use * for them)'],
    ['/api/\\x', 'must not contain a backslash'],
  ])('%s: %s', (pattern, problem) => {
    expect(patternProblem(pattern)).toBe(problem)
  })

  it.each(['/', '/**', '/api/people/**', '/api/**/photo', '/api/*/x-*.json', '/api/org/'])('accepts %s', (pattern) => {
    expect(patternProblem(pattern)).toBeUndefined()
  })
})
