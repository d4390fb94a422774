// Unit: the status class metrics label answers with (net/status-class.ts), for the backend's and partners' answers.
import { describe, expect, it } from 'vitest'
import { statusClassOf } from '../../../src/net/index.js'

describe('statusClassOf', () => {
  it.each([[101, '1xx'], [200, '2xx'], [204, '2xx'], [302, '3xx'], [404, '4xx'], [499, '4xx'], [503, '5xx'], [599, '5xx'], [0, 'other'], [99, 'other'], [600, 'other']])('%i -> %s', (status, expected) => {
    expect(statusClassOf(status)).toBe(expected)
  })
})
