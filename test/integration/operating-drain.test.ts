// Integration (issue 4 §3): SIGTERM drain through RunningGateway.close(): an in-flight request completes while
// /readyz answers 503 draining, and a request outliving shutdown.drainTimeoutMs is cut so close() always ends.
import { describe, expect, it } from 'vitest'
import { eventually, startWorldForTest as world } from './operating-fixture.js'

describe('SIGTERM drain', () => {
  it('close() lets an in-flight slow request complete, with /readyz answering 503 draining meanwhile', async () => {
    const w = await world()
    let release: (() => void) | undefined
    w.upstream.handler = (_req, res) => {
      release = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('finished')
    }
    const slow = w.call(w.exchange.actorToken(), '/slow')
    await eventually(() => release !== undefined)
    const closing = w.gw.running.close()
    const ready = await fetch(`${w.gw.adminUrl}/readyz`)
    expect(ready.status).toBe(503)
    expect(((await ready.json()) as { status: string }).status).toBe('draining')
    release?.()
    const res = await slow
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('finished')
    await closing
    await expect(fetch(`${w.gw.url}/after`)).rejects.toThrow()
  })

  it('gives up on a request that outlives shutdown.drainTimeoutMs, so close() always ends', async () => {
    const w = await world({ overrides: () => ({ shutdown: { drainTimeoutMs: 200 } }) })
    w.upstream.handler = () => {} // never answers
    const hung = w.call(w.exchange.actorToken(), '/hung').then((r) => r.status, (err: unknown) => err)
    await eventually(() => w.upstream.seen.length === 1)
    await w.gw.running.close()
    expect(await hung).toBeInstanceOf(Error) // the connection was closed under it
  })
})
