// Unit: reading a server's Keep-Alive hint (net/idle-sockets.ts): its `timeout=N` in ms less Node's one-second margin.
import { describe, expect, it } from 'vitest'
import { keepAliveHintMs } from '../../../src/net/index.js'

describe('keepAliveHintMs', () => {
  it.each([
    ['timeout=5', 4000],
    ['timeout=5, max=100', 4000],
    ['max=100, timeout=3', 2000],
    ['Timeout = 2', 1000],
    ['timeout=1', 0],
    ['timeout=0', -1000],
  ])('%s -> %s ms', (hint, ms) => {
    expect(keepAliveHintMs(hint)).toBe(ms)
  })

  it.each(['max=100', 'timeout=soon', 'maxtimeout=5', ''])('names no timeout: %j', (hint) => {
    expect(keepAliveHintMs(hint)).toBeUndefined()
  })

  it('reads the first of repeated headers, and nothing from none', () => {
    expect(keepAliveHintMs(['timeout=10', 'timeout=2'])).toBe(9000)
    expect(keepAliveHintMs(undefined)).toBeUndefined()
  })
})
