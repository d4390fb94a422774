// Integration: nothing long-lived holds an answered request (issue 11). An object that lives as long as a connection, a
// partner or the process sits in V8's old generation; a request it points at survives every young-generation GC with
// its response, headers and buffers. It happened twice: a WeakMap keyed by request (a quarter of the CPU per request,
// BENCHMARKS.md), then the connection guard's last request (twice the bare proxy's bytes surviving a scavenge). Real
// gateway, echo backend and partner metadata on loopback, one kept-alive client connection, V8's own collector.
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectedAll } from '../helpers/gc.js'
import { startStack, type Stack } from '../helpers/stack.js'

let stack: Stack
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  agent.destroy()
  await stack.close()
})

function get(path: string, token: string | undefined): Promise<number> {
  const url = new URL(path, stack.gw.url)
  return new Promise((resolve, reject) => {
    const headers = token === undefined ? {} : { authorization: `Bearer ${token}` }
    http
      .get({ host: url.hostname, port: url.port, path: url.pathname, headers, agent }, (res) => {
        res.resume()
        res.once('end', () => resolve(res.statusCode ?? 0))
      })
      .once('error', reject)
  })
}


describe('an answered request on a kept-alive connection', () => {
  const cases: Array<[string, string, () => string | undefined, number]> = [
    ['forwarded with a valid token', '/api/items', () => stack.exchange.actorToken(), 200],
    ['refused without a token', '/api/items', () => undefined, 401],
    ['the metadata document', '/metadata/json/1', () => undefined, 200],
  ]
  it.each(cases)('%s: its request and response are collectable', async (_name, path, token, status) => {
    const refs: Array<WeakRef<object>> = []
    const keep = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      refs.push(new WeakRef(req), new WeakRef(res))
    }
    const server = stack.gw.running.gateway.inbound.server
    server.on('request', keep)
    try {
      expect(await get(path, token())).toBe(status)
    } finally {
      server.off('request', keep)
    }
    expect(refs).toHaveLength(2)
    // The client's connection is still open (keep-alive): only something of the gateway could hold them now.
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(1)
    expect(await collectedAll(refs)).toBe(true)
  })
})
