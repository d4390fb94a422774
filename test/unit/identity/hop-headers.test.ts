import { describe, expect, it } from 'vitest'
import { nominatedHeaders, withoutHopByHop } from '../../../src/identity/hop-headers.js'

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

describe('withoutHopByHop', () => {
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
    expect(withoutHopByHop(headers)).toEqual({ 'transfer-encoding': 'chunked', host: 'h', 'x-keep': 'yes' })
  })

  it('answers a fresh object and leaves its input alone', () => {
    const heads: Array<[Record<string, string>, Record<string, string>]> = [
      [{ 'content-type': 'text/plain', date: 'd', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'content-length': '3' }, { 'content-type': 'text/plain', date: 'd', 'content-length': '3' }],
      [{ connection: 'close, X_Secret', 'x-secret': 's', x_secret: 's', trailer: 'x', 'x-keep': '1' }, { 'x-keep': '1' }],
      [{ 'x-keep': '1' }, { 'x-keep': '1' }],
    ]
    for (const [head, kept] of heads) {
      const before = { ...head }
      const copy = withoutHopByHop(head)
      expect(copy).toEqual(kept)
      expect(copy).not.toBe(head)
      expect(head).toEqual(before)
    }
  })

  it('also leaves out the names it is given', () => {
    const head = { host: 'h', authorization: 'Bearer t', expect: '100-continue', connection: 'keep-alive', 'x-keep': '1' }
    expect(withoutHopByHop(head, new Set(['authorization', 'expect']))).toEqual({ host: 'h', 'x-keep': '1' })
  })
})
