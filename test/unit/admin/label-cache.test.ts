// Unit: the label-child cache: one child per distinct combination of label values, reused on every later call.
import { describe, expect, it } from 'vitest'
import { createLabelCache } from '../../../src/admin/label-cache.js'

describe('createLabelCache', () => {
  it('makes a child once per combination and returns the same object afterwards', () => {
    const made: string[][] = []
    const cache = createLabelCache((values) => {
      made.push(values)
      return { values }
    })
    const a = cache.get3('exchange', 'app', 'ok')
    expect(cache.get3('exchange', 'app', 'ok')).toBe(a)
    expect(cache.get3('exchange', 'app', 'rejected')).not.toBe(a)
    expect(cache.get2('exchange', 'ok')).toEqual({ values: ['exchange', 'ok'] })
    expect(cache.get1('hit')).toBe(cache.get1('hit'))
    expect(made).toEqual([['exchange', 'app', 'ok'], ['exchange', 'app', 'rejected'], ['exchange', 'ok'], ['hit']])
  })

  it('keeps arities apart: get1(a) and get2(a, b) are different children', () => {
    const cache = createLabelCache((values) => values.join('/'))
    expect(cache.get1('a')).toBe('a')
    expect(cache.get2('a', 'b')).toBe('a/b')
    expect(cache.get3('a', 'b', 'c')).toBe('a/b/c')
  })
})
