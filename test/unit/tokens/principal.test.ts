import { describe, expect, it } from 'vitest'
import { normaliseHost, parseAudience, parsePrincipal } from '../../../src/tokens/index.js'

describe('parsePrincipal', () => {
  it.each([
    ['00000002-0000-0ff1-ce00-000000000000@contoso.com', { id: '00000002-0000-0ff1-ce00-000000000000', realm: 'contoso.com' }],
    ['ABC@Contoso.COM', { id: 'abc', realm: 'contoso.com' }],
    ['a@b@c', { id: 'a@b', realm: 'c' }], // the LAST '@'
    ['id@*', { id: 'id', realm: '*' }],
  ])('%j → %j', (value, expected) => {
    expect(parsePrincipal(value)).toEqual(expected)
  })

  it.each([['no-at'], ['@realm'], ['id@'], ['id @realm'], ['id@realm\n'], [''], [['a@b']], [42], [null], [undefined]])(
    '%j → undefined',
    (value) => {
      expect(parsePrincipal(value)).toBeUndefined()
    },
  )
})

describe('parseAudience', () => {
  it.each([
    ['svc/gw.contoso.com@contoso.com', { principal: 'svc', host: 'gw.contoso.com', realm: 'contoso.com' }],
    ['SVC/GW.Contoso.com:443@Contoso.com', { principal: 'svc', host: 'gw.contoso.com', realm: 'contoso.com' }],
    ['svc/gw.contoso.com:80@r', { principal: 'svc', host: 'gw.contoso.com', realm: 'r' }],
    ['svc/gw.contoso.com:8443@r', { principal: 'svc', host: 'gw.contoso.com:8443', realm: 'r' }],
    ['svc/bücher.example@r', { principal: 'svc', host: 'xn--bcher-kva.example', realm: 'r' }],
    ['svc/[::1]:8443@r', { principal: 'svc', host: '[::1]:8443', realm: 'r' }],
    ['svc/host@a@r', undefined], // '@' inside the host part
  ])('%j → %j', (value, expected) => {
    expect(parseAudience(value)).toEqual(expected)
  })

  it.each([
    ['CVE-2023-29357 shape, no host', '00000003-0000-0ff1-ce00-000000000000@contoso.com'],
    ['empty host', 'svc/@contoso.com'],
    ['empty realm', 'svc/gw.contoso.com@'],
    ['empty principal', '/gw.contoso.com@r'],
    ['extra slash', 'svc/extra/gw.contoso.com@r'],
    ['path after host', 'svc/gw.contoso.com/@r'],
    ['whitespace', 'svc/gw.contoso.com @r'],
    ['array', ['svc/gw.contoso.com@r']],
    ['number', 7],
  ])('%s → undefined', (_name, value) => {
    expect(parseAudience(value)).toBeUndefined()
  })
})

describe('normaliseHost', () => {
  it.each([
    ['GW.Contoso.COM', 'gw.contoso.com'],
    ['gw.contoso.com:443', 'gw.contoso.com'],
    ['gw.contoso.com:80', 'gw.contoso.com'],
    ['gw.contoso.com:8443', 'gw.contoso.com:8443'],
    ['Bücher.example:443', 'xn--bcher-kva.example'],
    ['[::1]:443', '[::1]'],
    ['gw.contoso.com:', ''],
    ['gw.contoso.com:abc', ''],
    ['gw.contoso.com:123456', ''],
    [':443', ''],
    ['[::1', ''],
  ])('%j → %j', (input, expected) => {
    expect(normaliseHost(input)).toBe(expected)
  })
})
