// Integration: `npm start` runs the demo. It must work on a fresh machine with nothing but a temp folder:
// two requests through the gateway, a working curl line, readable access lines, the port it really listens on,
// and nothing left behind when stopped.
import { existsSync } from 'node:fs'
import net from 'node:net'
import { expect, it } from 'vitest'
import { startDemo } from '../../src/cli/demo.js'
import { formatAccessLine } from '../../src/cli/demo-log.js'

/** Wait for a condition (an outcome, not a duration), failing after `limitMs`. */
async function eventually(check: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached before the deadline')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Hold 127.0.0.1:8443 for the test (if something else already holds it, it is taken all the same). */
async function occupy(port: number): Promise<net.Server | undefined> {
  const server = net.createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined))
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

it('runs the demo end to end, prints a working token and access lines, and removes its temp folder on stop', async () => {
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
    // One readable access line per request, the curl-style request included; never a token, never JSON.
    const access = (): string[] => lines.filter((l) => l.startsWith('access |'))
    await eventually(() => access().length === 4)
    expect(access()).toEqual(expect.arrayContaining([
      expect.stringMatching(/^access \| GET \/api\/items -> 200 ok \| exchange, app \| \d+\.\d ms$/),
      expect.stringMatching(/^access \| GET \/api\/me -> 200 ok \| exchange, user, alice@contoso.com \| \d+\.\d ms$/),
      expect.stringMatching(/^access \| GET \/api\/items -> 401 rejected \(GW_TOKEN_MISSING\) \| \d+\.\d ms$/),
      expect.stringMatching(/^access \| GET \/api\/hello -> 200 ok \| exchange, app \| \d+\.\d ms$/),
    ]))
    expect(access().join('\n')).not.toContain((token ?? 'no token').slice(0, 40))
    expect(lines.some((l) => l.startsWith('{"'))).toBe(false) // no raw JSON log line
  } finally {
    await demo.stop()
  }
  expect(existsSync(demo.dir)).toBe(false)
})

it('names the port it really listens on when 8443 is taken', async () => {
  const holder = await occupy(8443)
  const lines: string[] = []
  try {
    const demo = await startDemo((line = '') => lines.push(line))
    try {
      const port = new URL(demo.gatewayUrl).port
      expect(port).not.toBe('8443')
      const text = lines.join('\n')
      expect(text).toContain(`published as https://localhost:${port}/metadata/json/1`)
      expect(text).not.toContain('localhost:8443')
      expect(text).toContain('App-only token from partner "exchange": HTTP 200') // the audience names the real port
    } finally {
      await demo.stop()
    }
  } finally {
    await new Promise((resolve) => (holder === undefined ? resolve(undefined) : holder.close(resolve)))
  }
})

it('formats an access line without a partner, and skips other lines', () => {
  expect(formatAccessLine({ msg: 'request', method: 'POST', path: '/x', status: 503, outcome: 'unavailable', partner: 'lync', code: 'GW_PARTNER_UNAVAILABLE', durationMs: 1.234 }))
    .toBe('access | POST /x -> 503 unavailable (GW_PARTNER_UNAVAILABLE) | lync | 1.2 ms')
  expect(formatAccessLine({ msg: 's2s-gateway listening' })).toBeUndefined()
})
