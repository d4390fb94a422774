// Unit: net/idle-sockets.ts: a server's Keep-Alive hint read as its `timeout=N` in ms less Node's one-second margin,
// and an agent's idle connection closed by the sweep, which runs only while something is pooled.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { IDLE_SWEEP_MS, keepAliveHintMs, limitIdleSockets } from '../../../src/net/index.js'
import { until } from '../../helpers/until.js'

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

describe('limitIdleSockets', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('closes an idle connection once it has been idle for the limit, and runs no timer while nothing is pooled', async () => {
    const server = http.createServer((_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
    const pooled = (): number => Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0)
    // Only the sweep's interval is faked: sockets keep Node's own timers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const idle = limitIdleSockets(agent, 1_000)
    try {
      expect(vi.getTimerCount()).toBe(0)
      const status = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, agent }, (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        }).on('error', reject)
      })
      expect(status).toBe(200)
      await until(() => pooled() === 1, 'the socket pooled')
      expect(vi.getTimerCount()).toBe(1)
      vi.advanceTimersByTime(IDLE_SWEEP_MS) // one sweep: idle for less than the limit, kept
      expect(pooled()).toBe(1)
      vi.advanceTimersByTime(IDLE_SWEEP_MS) // two sweeps: 1,000 ms, closed, and nothing left to sweep
      await until(() => pooled() === 0, 'the idle socket closed')
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      idle.stop()
      agent.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
