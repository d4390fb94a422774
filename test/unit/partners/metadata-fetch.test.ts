import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../../src/certs/create.js'
import {
  fetchMetadataDocument, MetadataFetchError, type MetadataFetchOptions, type MetadataFetchReason,
} from '../../../src/partners/metadata-fetch.js'
import { checkFetchUrl, isLoopbackHost } from '../../../src/net/index.js'
import { failingLookup, resolveToLoopback, startLoopbackServer } from '../../helpers/metadata-loopback.js'

const base: MetadataFetchOptions = { timeoutMs: 2_000, maxBytes: 1_024, allowHttp: true, insecureSkipVerify: false }
const json = (res: ServerResponse, body: string, headers: Record<string, string> = {}): void => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(body)
}

async function reasonOf(promise: Promise<unknown>): Promise<MetadataFetchReason> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(MetadataFetchError)
  return (err as MetadataFetchError).reason
}

describe('fetchMetadataDocument over loopback http', () => {
  it('returns the parsed document, sending only a User-Agent and Accept (no credentials, no cookies)', async () => {
    const seen: Record<string, string | string[] | undefined>[] = []
    const server = await startLoopbackServer((req, res) => {
      seen.push(req.headers)
      json(res, '{"issuer":"a@b"}', { 'set-cookie': 'session=1' })
    })
    expect(await fetchMetadataDocument(server.url(), base)).toEqual({ issuer: 'a@b' })
    expect(seen).toHaveLength(1)
    expect(seen[0]?.['user-agent']).toBe('s2s-gateway')
    expect(seen[0]?.accept).toBe('application/json')
    expect(seen[0]).not.toHaveProperty('authorization')
    expect(seen[0]).not.toHaveProperty('cookie')
  })

  it('strips a UTF-8 byte order mark', async () => {
    const server = await startLoopbackServer((_req, res) => json(res, '\uFEFF{"ok":true}'))
    expect(await fetchMetadataDocument(server.url(), base)).toEqual({ ok: true })
  })

  it.each([
    ['a redirect, which is not followed', 'redirect', (res: ServerResponse) => res.writeHead(302, { location: 'https://evil.example/' }).end()],
    ['a 404', 'status', (res: ServerResponse) => res.writeHead(404).end('not here')],
    ['a 503', 'status', (res: ServerResponse) => res.writeHead(503).end()],
    ['HTML', 'not_json', (res: ServerResponse) => json(res, '<html>login</html>')],
    ['an empty body', 'not_json', (res: ServerResponse) => json(res, '')],
    ['invalid UTF-8', 'not_json', (res: ServerResponse) => res.writeHead(200).end(Buffer.from([0x22, 0xff, 0x22]))],
    ['a Content-Length over the cap (refused before reading)', 'too_large',
      (res: ServerResponse) => res.writeHead(200, { 'content-length': '5000' }).write('{')],
    ['a chunked body that grows over the cap', 'too_large', (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      for (let i = 0; i < 20; i++) res.write(' '.repeat(100))
      res.end('{}')
    }],
    ['a connection dropped mid-body', 'network', (res: ServerResponse) => {
      res.writeHead(200, { 'content-length': '100' }).write('{"a":')
      setTimeout(() => res.socket?.destroy(), 20)
    }],
  ] as const)('fails on %s', async (_label, reason, respond) => {
    const server = await startLoopbackServer((_req, res) => respond(res))
    expect(await reasonOf(fetchMetadataDocument(server.url(), base))).toBe(reason)
  })

  it('gives up at the deadline when a slow-loris server dribbles bytes', async () => {
    const server = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const drip = setInterval(() => res.write(' '), 20)
      res.on('close', () => clearInterval(drip))
    })
    expect(await reasonOf(fetchMetadataDocument(server.url(), { ...base, timeoutMs: 300 }))).toBe('timeout')
  })

  it('gives up at the deadline when headers never come', async () => {
    const server = await startLoopbackServer(() => {})
    expect(await reasonOf(fetchMetadataDocument(server.url(), { ...base, timeoutMs: 300 }))).toBe('timeout')
  })

  it('reports a refused connection as a network failure', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve())) // nothing listens there any more
    expect(await reasonOf(fetchMetadataDocument(`http://127.0.0.1:${port}/metadata/json/1`, base))).toBe('network')
  })

  // Issue 15: the log and /status show this message, as partner add and test-partner print it.
  it('names the errno or the HTTP status in the message', async () => {
    const messageOf = async (promise: Promise<unknown>): Promise<string> => String(((await promise.catch((e: unknown) => e)) as Error).message)
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    expect(await messageOf(fetchMetadataDocument(`http://127.0.0.1:${port}/metadata/json/1`, base))).toBe('connection failed (ECONNREFUSED)')
    expect(await messageOf(fetchMetadataDocument('https://metadata.invalid/metadata/json/1', { ...base, lookup: failingLookup }))).toBe('name resolution failed (ENOTFOUND)')
    const missing = await startLoopbackServer((_req, res) => res.writeHead(404).end())
    expect(await messageOf(fetchMetadataDocument(missing.url(), base))).toBe('HTTP 404')
    const tls = await createSelfSignedCertificate({ subject: 'CN=localhost' })
    const secure = await startLoopbackServer((_req, res) => json(res, '{}'), { cert: tls.certPem, key: tls.keyPem })
    expect(await messageOf(fetchMetadataDocument(secure.url('/metadata/json/1', 'localhost'), { ...base, lookup: resolveToLoopback }))).toBe('TLS: DEPTH_ZERO_SELF_SIGNED_CERT')
  })

  it('reports a failing resolver as dns', async () => {
    expect(await reasonOf(fetchMetadataDocument('https://metadata.invalid/metadata/json/1', { ...base, lookup: failingLookup }))).toBe('dns')
  })
})

describe('which URLs may be fetched', () => {
  it.each([
    ['http to a public host, even with allowHttp', 'http://autodiscover.contoso.com/metadata/json/1', true],
    ['http to loopback without allowHttp', 'http://127.0.0.1:1/metadata/json/1', false],
    ['another scheme', 'ftp://127.0.0.1/metadata/json/1', true],
    ['credentials in the URL', 'https://user:secret@autodiscover.contoso.com/metadata/json/1', true],
    ['not a URL', 'metadata/json/1', true],
  ])('refuses %s without connecting', async (_label, url, allowHttp) => {
    expect(await reasonOf(fetchMetadataDocument(url, { ...base, allowHttp, lookup: failingLookup }))).toBe('url')
  })

  it.each([
    ['localhost', true], ['127.0.0.1', true], ['127.10.20.30', true], ['[::1]', true],
    ['128.0.0.1', false], ['10.0.0.1', false], ['localhost.contoso.com', false], ['[::2]', false], ['127.0.0.1.nip.io', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback)
  })

  // Issue 15 defect 8: the config check accepted http://[::ffff:127.0.0.1]/ with allowHttp, and then every fetch
  // of it was refused. One function decides for both.
  // Issue 16: net/ holds the only isLoopbackHost; config checks and the fetch's URL rule both import it.
  it('uses the configuration\'s loopback rule, so a URL the config accepts is fetched', async () => {
    for (const host of ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:127.0.0.2]']) {
      expect(isLoopbackHost(new URL(`http://${host}/`).hostname)).toBe(true)
      expect(checkFetchUrl(`http://${host}:1/metadata/json/1`, true)).toBeInstanceOf(URL)
    }
    expect(checkFetchUrl('http://[::ffff:10.0.0.1]:1/metadata/json/1', true)).toBe('http is allowed only for a loopback host')
    const server = await startLoopbackServer((_req, res) => json(res, '{"mapped":true}'))
    expect(await fetchMetadataDocument(server.url('/metadata/json/1', '[::ffff:127.0.0.1]'), base)).toEqual({ mapped: true })
  })
})

describe('fetchMetadataDocument over https', () => {
  it('verifies TLS: trusted with caPem, refused without it, accepted with insecureSkipVerify', async () => {
    const tls = await createSelfSignedCertificate({ subject: 'CN=localhost' })
    const server = await startLoopbackServer((_req, res) => json(res, '{"tls":true}'), { cert: tls.certPem, key: tls.keyPem })
    const url = server.url('/metadata/json/1', 'localhost')
    const opts = { ...base, allowHttp: false, lookup: resolveToLoopback }
    expect(await fetchMetadataDocument(url, { ...opts, caPem: tls.certPem })).toEqual({ tls: true })
    expect(await reasonOf(fetchMetadataDocument(url, opts))).toBe('tls')
    expect(await fetchMetadataDocument(url, { ...opts, insecureSkipVerify: true })).toEqual({ tls: true })
  })

  it('refuses a certificate for another name even when its CA is trusted', async () => {
    const tls = await createSelfSignedCertificate({ subject: 'CN=other.example' })
    const server = await startLoopbackServer((_req, res) => json(res, '{}'), { cert: tls.certPem, key: tls.keyPem })
    const opts = { ...base, caPem: tls.certPem, lookup: resolveToLoopback }
    expect(await reasonOf(fetchMetadataDocument(server.url('/metadata/json/1', 'localhost'), opts))).toBe('tls')
  })
})
