// Test helper: an http or https server on 127.0.0.1:0 with any handler, closed (with all its connections)
// when the calling test finishes. For metadata fetch tests that need misbehaving servers.
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo, LookupFunction } from 'node:net'
import { onTestFinished } from 'vitest'

export interface LoopbackServer {
  port: number
  /** `http://127.0.0.1:<port><path>` (or https://<host>:<port> for a TLS server). */
  url(path?: string, host?: string): string
}

/** Start a server inside a test; it is closed when that test finishes. */
export async function startLoopbackServer(
  handler: http.RequestListener,
  tls?: { cert: string; key: string },
): Promise<LoopbackServer> {
  const server = tls === undefined ? http.createServer(handler) : https.createServer(tls, handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  const port = (server.address() as AddressInfo).port
  const scheme = tls === undefined ? 'http' : 'https'
  return { port, url: (path = '/metadata/json/1', host = '127.0.0.1') => `${scheme}://${host}:${port}${path}` }
}

/** A resolver that answers every name with 127.0.0.1 (so a certificate for "localhost" can be checked). */
export const resolveToLoopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all === true) callback(null, [{ address: '127.0.0.1', family: 4 }])
  else callback(null, '127.0.0.1', 4)
}

/** A resolver that always fails like an unknown name. */
export const failingLookup: LookupFunction = (hostname, _options, callback) => {
  const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  callback(err, '', 0)
}
