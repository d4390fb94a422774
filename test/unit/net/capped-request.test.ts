// Unit: the one capped HTTP client (net/capped-request.ts) against real servers on 127.0.0.1: what it sends, the
// byte cap, the deadline, redirects and other statuses, and how socket and TLS failures are classified.
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../../src/certs/create.js'
import { CappedRequestError, requestCapped, type CappedRequestOptions } from '../../../src/net/index.js'
import { failingLookup, resolveToLoopback, startLoopbackServer } from '../../helpers/metadata-loopback.js'

const get: CappedRequestOptions = { method: 'GET', timeoutMs: 2_000, maxBytes: 1_024, otherStatus: 'fail' }

async function failureOf(promise: Promise<unknown>): Promise<CappedRequestError> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(CappedRequestError)
  return err as CappedRequestError
}

async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve())) // nothing listens there any more
  return port
}

describe('requestCapped: what is sent', () => {
  it('GETs with only User-Agent, Accept and Accept-Encoding identity, and returns status and body', async () => {
    const seen: Array<{ method: string | undefined; headers: Record<string, unknown> }> = []
    const server = await startLoopbackServer((req, res) => {
      seen.push({ method: req.method, headers: req.headers })
      res.writeHead(200).end('{"a":1}')
    })
    const res = await requestCapped(new URL(server.url('/doc?x=1')), get)
    expect(res.status).toBe(200)
    expect(res.body.toString()).toBe('{"a":1}')
    expect(seen[0]?.method).toBe('GET')
    expect(seen[0]?.headers).toMatchObject({ 'user-agent': 's2s-gateway', accept: 'application/json', 'accept-encoding': 'identity' })
    expect(seen[0]?.headers).not.toHaveProperty('authorization')
    expect(seen[0]?.headers).not.toHaveProperty('cookie')
  })

  it('POSTs the body with its Content-Type and Content-Length', async () => {
    let seen: { type?: string | undefined; length?: string | undefined; body?: string } = {}
    const server = await startLoopbackServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen = { type: req.headers['content-type'], length: req.headers['content-length'], body: Buffer.concat(chunks).toString() }
        res.writeHead(200).end('{}')
      })
    })
    const data = Buffer.from('grant_type=client_credentials')
    await requestCapped(new URL(server.url('/token')), { ...get, method: 'POST', body: { contentType: 'application/x-www-form-urlencoded', data } })
    expect(seen).toEqual({ type: 'application/x-www-form-urlencoded', length: String(data.length), body: 'grant_type=client_credentials' })
  })
})

describe('requestCapped: caps and statuses', () => {
  it.each([
    ['a Content-Length over the cap, refused before reading', 'too_large', (res: ServerResponse) => res.writeHead(200, { 'content-length': '5000' }).write('{')],
    ['a chunked body that grows over the cap', 'too_large', (res: ServerResponse) => {
      res.writeHead(200)
      for (let i = 0; i < 20; i++) res.write(' '.repeat(100))
      res.end('{}')
    }],
    ['a redirect, which is not followed', 'redirect', (res: ServerResponse) => res.writeHead(302, { location: 'https://evil.example/' }).end()],
    ['a 404 with otherStatus fail', 'status', (res: ServerResponse) => res.writeHead(404).end('not here')],
    ['a connection dropped mid-body', 'network', (res: ServerResponse) => {
      res.writeHead(200, { 'content-length': '100' }).write('{"a":')
      setImmediate(() => res.socket?.destroy())
    }],
  ] as const)('fails on %s', async (_label, reason, respond) => {
    const server = await startLoopbackServer((_req, res) => respond(res))
    expect((await failureOf(requestCapped(new URL(server.url()), get))).reason).toBe(reason)
  })

  it('names the status of a redirect and of a refused status', async () => {
    const server = await startLoopbackServer((req, res) => void (req.url === '/moved' ? res.writeHead(301, { location: '/' }).end() : res.writeHead(503).end()))
    expect(await failureOf(requestCapped(new URL(server.url('/moved')), get))).toMatchObject({ reason: 'redirect', status: 301, message: 'redirect (HTTP 301) not followed' })
    expect(await failureOf(requestCapped(new URL(server.url('/other')), get))).toMatchObject({ reason: 'status', status: 503, message: 'HTTP 503' })
  })

  it('reads an error answer when otherStatus is read (the caller wants its error code)', async () => {
    const server = await startLoopbackServer((_req, res) => res.writeHead(400).end('{"error":"invalid_client"}'))
    const res = await requestCapped(new URL(server.url()), { ...get, otherStatus: 'read' })
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body.toString())).toEqual({ error: 'invalid_client' })
  })

  it('still caps an error answer it reads', async () => {
    const server = await startLoopbackServer((_req, res) => res.writeHead(500).end('x'.repeat(5000)))
    expect((await failureOf(requestCapped(new URL(server.url()), { ...get, otherStatus: 'read' }))).reason).toBe('too_large')
  })

  it('gives up at the deadline when headers never come', async () => {
    const server = await startLoopbackServer(() => {})
    expect(await failureOf(requestCapped(new URL(server.url()), { ...get, timeoutMs: 200 }))).toMatchObject({ reason: 'timeout', message: 'no complete answer within 200 ms' })
  })

  it('gives up at the deadline when a slow-loris server dribbles the body', async () => {
    const server = await startLoopbackServer((_req, res) => {
      res.writeHead(200)
      const drip = setInterval(() => res.write(' '), 20)
      res.on('close', () => clearInterval(drip))
    })
    expect((await failureOf(requestCapped(new URL(server.url()), { ...get, timeoutMs: 200 }))).reason).toBe('timeout')
  })
})

describe('requestCapped: socket failures', () => {
  it('reports a refused connection as network, naming the errno', async () => {
    const port = await closedPort()
    expect(await failureOf(requestCapped(new URL(`http://127.0.0.1:${port}/`), get))).toMatchObject({ reason: 'network', message: 'connection failed (ECONNREFUSED)' })
  })

  it('reports a failing resolver as dns', async () => {
    const err = await failureOf(requestCapped(new URL('https://metadata.invalid/doc'), { ...get, lookup: failingLookup }))
    expect(err).toMatchObject({ reason: 'dns', message: 'name resolution failed (ENOTFOUND)' })
  })

  it('verifies TLS: a self-signed certificate is a tls failure, trusted with caPem, accepted with insecureSkipVerify', async () => {
    const tls = await createSelfSignedCertificate({ subject: 'CN=localhost' })
    const server = await startLoopbackServer((_req, res) => res.writeHead(200).end('{"tls":true}'), { cert: tls.certPem, key: tls.keyPem })
    const url = new URL(server.url('/doc', 'localhost'))
    const opts = { ...get, lookup: resolveToLoopback }
    expect(await failureOf(requestCapped(url, opts))).toMatchObject({ reason: 'tls', message: 'TLS: DEPTH_ZERO_SELF_SIGNED_CERT' })
    expect((await requestCapped(url, { ...opts, caPem: tls.certPem })).body.toString()).toBe('{"tls":true}')
    expect((await requestCapped(url, { ...opts, insecureSkipVerify: true })).body.toString()).toBe('{"tls":true}')
  })

  it('refuses a certificate for another name even when its CA is trusted', async () => {
    const tls = await createSelfSignedCertificate({ subject: 'CN=other.example' })
    const server = await startLoopbackServer((_req, res) => res.writeHead(200).end('{}'), { cert: tls.certPem, key: tls.keyPem })
    const err = await failureOf(requestCapped(new URL(server.url('/doc', 'localhost')), { ...get, caPem: tls.certPem, lookup: resolveToLoopback }))
    expect(err).toMatchObject({ reason: 'tls', message: 'TLS: ERR_TLS_CERT_ALTNAME_INVALID' })
  })
})
