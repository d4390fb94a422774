// Unit: the reload control: load, validate, swap, count; a refused file or a failing swap keeps the running
// configuration, logs every problem and counts a failure; a start-up load is not counted as a reload.
import { describe, expect, it } from 'vitest'
import pino from 'pino'
import { Writable } from 'node:stream'
import { createReloadControl, type ReloadDeps } from '../../../src/config/reload.js'
import { ConfigError, type LoadedConfig } from '../../../src/config/index.js'
import type { GatewayConfig } from '../../../src/schema/index.js'

const config = (partners: string[], listenPort = 8443): GatewayConfig =>
  ({ partners: partners.map((name) => ({ name, trustLevel: 'full' })), listen: { inbound: { host: '0.0.0.0', port: listenPort } } }) as unknown as GatewayConfig

function setup(load: ReloadDeps['load'], swap: (next: GatewayConfig) => void = () => {}) {
  const lines: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'debug' }, new Writable({ write(chunk: Buffer, _e, done) { lines.push(JSON.parse(chunk.toString())); done() } }))
  let current = config(['exchange', 'lync'])
  const counted: string[] = []
  const loaded: number[] = []
  let clock = 1_000
  const control = createReloadControl({
    logger, now: () => clock, load, current: () => current,
    swap: (next) => { swap(next); current = next },
    counted: (result, at) => counted.push(`${result}@${at}`),
    loaded: (at) => loaded.push(at),
  })
  return { control, lines, counted, loaded, current: () => current, tick: () => (clock += 1_000) }
}

describe('createReloadControl', () => {
  it('sets the last-success time at start-up without counting a reload', () => {
    const s = setup(undefined)
    expect(s.loaded).toEqual([1_000])
    expect(s.counted).toEqual([])
    expect(s.control.status()).toEqual({ loadedAt: 1_000, successes: 0, failures: 0, last: undefined })
  })

  it('swaps in a valid file, counts it, and logs the partners added, removed and changed', () => {
    const next = config(['exchange', 'sharepoint'], 9443)
    const s = setup((): LoadedConfig => ({ config: next, warnings: ['certificate expires in 10 days'] }))
    s.tick()
    expect(s.control.fromSource('signal')).toEqual({ result: 'success', partners: ['exchange', 'sharepoint'], warnings: ['certificate expires in 10 days'] })
    expect(s.current()).toBe(next)
    expect(s.counted).toEqual(['success@2000'])
    expect(s.control.status()).toMatchObject({ loadedAt: 2_000, successes: 1, last: { at: 2_000, trigger: 'signal', result: 'success' } })
    const msgs = s.lines.map((l) => l['msg'])
    expect(msgs).toContain('listen addresses changed: they take effect only after a restart')
    expect(s.lines.find((l) => l['msg'] === 'configuration reloaded')).toMatchObject({ added: ['sharepoint'], removed: ['lync'], changed: [] })
  })

  it('refuses a file with problems: every problem logged and returned, counted, nothing swapped', () => {
    const problems = [{ path: 'a', message: 'is wrong' }, { path: 'b', message: 'is required' }]
    const s = setup(() => {
      throw new ConfigError(problems)
    })
    const before = s.current()
    expect(s.control.fromSource('http')).toEqual({ result: 'failure', problems })
    expect(s.current()).toBe(before)
    expect(s.counted).toEqual(['failure@1000'])
    expect(s.lines.find((l) => l['level'] === 50)).toMatchObject({ trigger: 'http', problems })
    expect(s.control.status()).toMatchObject({ failures: 1, successes: 0, loadedAt: 1_000, last: { result: 'failure', problems: 2 } })
  })

  it('treats a runtime that cannot be built (a certificate file gone since) as a refused reload', () => {
    const s = setup(() => ({ config: config(['x']), warnings: [] }), () => {
      throw new Error('cannot read /etc/certs/gone.pem')
    })
    expect(s.control.fromSource('watch')).toEqual({ result: 'failure', problems: [{ path: '', message: 'cannot read /etc/certs/gone.pem' }] })
    expect(s.current().partners.map((p) => p.name)).toEqual(['exchange', 'lync'])
  })

  it('answers unavailable without a configuration source', () => {
    expect(setup(undefined).control.fromSource('http')).toEqual({ result: 'unavailable' })
  })
})
