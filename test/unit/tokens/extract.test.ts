import { describe, expect, it } from 'vitest'
import { extractBearer } from '../../../src/tokens/index.js'

const T = 'eyJhbGciOiJub25lIn0.eyJhIjoxfQ.'

describe('extractBearer', () => {
  it.each([
    ['Bearer ' + T, T],
    ['bearer ' + T, T],
    ['BEARER ' + T, T],
    ['bEaReR ' + T, T],
    ['Bearer   ' + T, T],
    ['Bearer\t' + T, T],
    ['Bearer ' + T + '  ', T],
    ['Bearer abc-_.XYZ', 'abc-_.XYZ'],
  ])('%j → the token', (header, token) => {
    expect(extractBearer(header)).toBe(token)
  })

  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Bearer '],
    ['Bearer    '],
    ['bearer\t '],
    ['Basic dXNlcjpwYXNz'],
    ['Negotiate YIIB'],
    ['Bearertoken'],
    ['Bear ' + T],
    [T],
  ])('%j → undefined (bare challenge, no error attribute)', (header) => {
    expect(extractBearer(header)).toBeUndefined()
  })

  it.each([
    ['junk after the token', `Bearer ${T} junk`],
    ['second token', `Bearer ${T} ${T}`],
    ['comma-separated parameters', `Bearer ${T}, realm="x"`],
    ['std base64 +', 'Bearer ab+c.d.e'],
    ['std base64 /', 'Bearer ab/c.d.e'],
    ['padding =', 'Bearer abc=.d.e'],
    ['quoted', 'Bearer "abc.d.e"'],
    ['non-ASCII', 'Bearer abc.dé.e'],
    ['NUL', 'Bearer abc\u0000.d.e'],
  ])('%s → malformed', (_name, header) => {
    expect(() => extractBearer(header)).toThrow(expect.objectContaining({ code: 'GW_TOKEN_INVALID', reason: 'malformed' }))
  })
})
