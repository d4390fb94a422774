// Unit: the tests' wait helper gives up with a clear message instead of looping until the runner's timeout.
import { describe, expect, it } from 'vitest'
import { until } from '../../helpers/until.js'

describe('until', () => {
  it('resolves once the condition holds', async () => {
    let n = 0
    await until(() => ++n >= 3, 'the third check')
    expect(n).toBe(3)
  })

  it('fails with a message naming what never happened once the deadline has passed', async () => {
    await expect(until(() => false, 'the partner to close the socket', 50)).rejects.toThrow('gave up after 50 ms waiting for the partner to close the socket')
  })
})
