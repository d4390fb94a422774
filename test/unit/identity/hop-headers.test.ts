import { describe, expect, it } from 'vitest'
import { nominatedHeaders, stripHopByHop } from '../../../src/identity/hop-headers.js'

describe('nominatedHeaders', () => {
  it.each([
    [undefined, []],
    ['keep-alive', []],
    ['close', []],
    ['close, X-Foo', ['close', 'x-foo']],
    [' X_Bar ,,x-baz', ['x_bar', 'x-baz']],
    ['transfer-encoding, content-length, host, x-a', ['x-a']],
  ])('%s -> %j', (value, names) => {
    expect(nominatedHeaders(value)).toEqual(names)
  })
})

describe('stripHopByHop', () => {
  it('drops hop-by-hop and nominated headers in both spellings, keeps body framing and the rest', () => {
    const headers: Record<string, string> = {
      connection: 'keep-alive, x-hop, X_Other',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      upgrade: 'websocket',
      'proxy-authorization': 'Basic x',
      'x-hop': '1',
      x_hop: '1',
      'x-other': '1',
      'transfer-encoding': 'chunked',
      host: 'h',
      'x-keep': 'yes',
    }
    stripHopByHop(headers)
    expect(headers).toEqual({ 'transfer-encoding': 'chunked', host: 'h', 'x-keep': 'yes' })
  })
})
