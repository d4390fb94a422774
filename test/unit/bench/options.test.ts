// `--check` runs only what issue 11's targets need; `--latency S` sizes (or skips) the open-loop pass.
import { describe, expect, it } from 'vitest'
import { parseOptions } from '../../../bench/options.js'

describe('parseOptions', () => {
  it('--check drops the references, start-up and memory runs but still writes the Targets table', () => {
    const o = parseOptions(['--check'])
    expect([o.check, o.references, o.startup, o.memoryTokens, o.writeBenchmarks, o.latencySec, o.repeats]).toEqual([true, false, false, 0, true, 3, 3])
    expect(parseOptions(['--check', '--repeats', '5']).repeats).toBe(5)
    expect(parseOptions(['--check', '--no-write']).writeBenchmarks).toBe(false)
  })
  it('a full run keeps them all, and --latency 0 skips the added-latency pass', () => {
    const o = parseOptions([])
    expect([o.check, o.references, o.startup, o.memoryTokens > 0, o.latencySec]).toEqual([false, true, true, true, 3])
    expect(parseOptions(['--latency', '0']).latencySec).toBe(0)
    expect(() => parseOptions(['--latency'])).toThrow(/needs a value/)
  })
  it('--client-head is off unless asked for', () => {
    expect([parseOptions([]).clientHead, parseOptions(['--client-head']).clientHead]).toEqual([false, true])
  })
})
