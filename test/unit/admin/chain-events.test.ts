// Unit: combining the gateway's metric hooks with hooks a caller passes in: both run, in order, each optional.
import { describe, expect, it } from 'vitest'
import { chainEvents } from '../../../src/admin/chain-events.js'

interface Hooks {
  onA?(x: number): void
  onB?(x: number): void
}

describe('chainEvents', () => {
  it('calls the first hooks, then the second, passing the arguments', () => {
    const calls: string[] = []
    const first: Hooks = { onA: (x) => calls.push(`first.a${x}`) }
    const second: Hooks = { onA: (x) => calls.push(`second.a${x}`), onB: (x) => calls.push(`second.b${x}`) }
    const both = chainEvents(first, second)
    both.onA?.(1)
    both.onB?.(2)
    expect(calls).toEqual(['first.a1', 'second.a1', 'second.b2'])
  })

  it('returns the first hooks unchanged when there is no second', () => {
    const first: Hooks = { onA: () => {} }
    expect(chainEvents(first, undefined)).toBe(first)
  })
})
