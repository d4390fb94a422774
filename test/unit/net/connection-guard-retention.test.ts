// Unit: the connection guard lets go of a request once its connection is idle (issue 11). A guard that kept the last
// request of every kept-alive connection made V8 copy and promote it, with its response and buffers, in every
// young-generation GC until the next request came (under load, twice the bare proxy's bytes surviving a scavenge).
// Checked with a real server, a kept-alive connection and V8's own collector (exposed at run time).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { collectedAll } from '../../helpers/gc.js'
import { guardConnections } from '../../../src/net/index.js'
import { DEFAULTS } from '../../../src/schema/index.js'
import { createLogger } from '../../../src/log/index.js'

const limits = () => ({ ...DEFAULTS.connections, maxConnections: 100 })

let server: http.Server | undefined
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
afterEach(async () => {
  agent.destroy()
  await new Promise((resolve) => server?.close(resolve))
})

function get(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume()
        res.once('end', () => resolve())
      })
      .once('error', reject)
  })
}


describe('guardConnections', () => {
  it('holds no answered request of a connection kept alive', async () => {
    let last: WeakRef<object> | undefined
    server = http.createServer((req, res) => {
      last = new WeakRef(req)
      res.end('ok')
    })
    guardConnections(server, limits, createLogger('silent'), 'inbound')
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await get(port)
    expect(last).toBeDefined()
    // The connection stays open (keep-alive, one socket): only the guard could still hold the request.
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(1)
    expect(await collectedAll([last as WeakRef<object>])).toBe(true)
  })
})
