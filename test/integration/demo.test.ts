// Integration: `npm start` runs the demo. It must work on a fresh machine with nothing but a temp folder:
// two requests through the gateway, a working curl line, and nothing left behind when stopped.
import { existsSync } from 'node:fs'
import { expect, it } from 'vitest'
import { startDemo } from '../../src/cli/demo.js'

it('runs the demo end to end, prints a working token, and removes its temp folder on stop', async () => {
  const lines: string[] = []
  const demo = await startDemo((line = '') => lines.push(line))
  try {
    const text = lines.join('\n')
    expect(text).toContain('App-only token from partner "exchange": HTTP 200')
    expect(text).toContain('User-context token (alice) with a spoofed x-s2s-user-upn header: HTTP 200')
    expect(text).toContain('"x-s2s-user-upn": "alice@contoso.com"')
    expect(text).not.toContain('mallory')
    expect(text).toContain('No token: HTTP 401, WWW-Authenticate: Bearer realm="contoso.com"')
    expect(existsSync(demo.dir)).toBe(true)
    const token = /Bearer ([A-Za-z0-9_.-]+)'/.exec(demo.curl)?.[1]
    const res = await fetch(`${demo.gatewayUrl}/api/hello`, { headers: { authorization: `Bearer ${token ?? ''}` } })
    expect(res.status).toBe(200)
  } finally {
    await demo.stop()
  }
  expect(existsSync(demo.dir)).toBe(false)
})
