// Unit: one token request to an issuance endpoint (issue 7) against loopback servers: the form as sent, the
// answer as ACS writes it (expires_in as a string) or RFC 6749 does, and each way it can fail, by reason.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { IssuanceError, readTokenAnswer, requestAccessToken, type IssuanceOptions } from '../../../src/outbound/issuance.js'
import { failingLookup } from '../../helpers/metadata-loopback.js'

const NOW = 1_795_348_800
const OPTS: IssuanceOptions = { timeoutMs: 2000, maxBytes: 4096, allowHttp: true, insecureSkipVerify: false }
const jwt = (payload: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`

function reasonOf(run: () => unknown): string | undefined {
  try {
    run()
    return undefined
  } catch (err) {
    if (err instanceof IssuanceError) return err.reason
    throw err
  }
}

describe('readTokenAnswer', () => {
  it.each<[string, Record<string, unknown>, number]>([
    ['expires_in as a decimal string (ACS)', { token_type: 'Bearer', access_token: 'a.b.c', expires_in: '3599' }, 3599],
    ['expires_in as a number (RFC 6749)', { access_token: 'a.b.c', expires_in: 600 }, 600],
    ['expires_on when expires_in is absent', { access_token: 'a.b.c', expires_on: String(NOW + 1200) }, 1200],
    ['the token’s exp when neither is sent', { access_token: jwt({ exp: NOW + 900 }) }, 900],
    ['token_type in any case', { token_type: 'bearer', access_token: 'a.b.c', expires_in: '60' }, 60],
  ])('reads %s', (_label, answer, seconds) => {
    expect(readTokenAnswer(answer, NOW).expiresInSec).toBe(seconds)
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['no access_token', { expires_in: '60' }, 'no_token'],
    ['an empty access_token', { access_token: '', expires_in: '60' }, 'no_token'],
    ['an access_token with a space', { access_token: 'a b', expires_in: '60' }, 'no_token'],
    ['an oversized access_token', { access_token: 'a'.repeat(20_000), expires_in: '60' }, 'no_token'],
    ['token_type other than Bearer', { token_type: 'mac', access_token: 'a.b.c', expires_in: '60' }, 'no_token'],
    ['no lifetime at all', { access_token: 'opaque' }, 'no_expiry'],
    ['expires_in 0', { access_token: 'a.b.c', expires_in: 0 }, 'no_expiry'],
    ['expires_on in the past', { access_token: 'a.b.c', expires_on: String(NOW - 1) }, 'no_expiry'],
    ['a malformed expires_in', { access_token: 'a.b.c', expires_in: '1e3' }, 'no_expiry'],
  ])('refuses %s', (_label, answer, reason) => {
    expect(reasonOf(() => readTokenAnswer(answer, NOW))).toBe(reason)
  })
})

describe('requestAccessToken', () => {
  let server: http.Server | undefined
  afterEach(async () => {
    const open = server
    server = undefined
    if (open === undefined) return
    open.closeAllConnections()
    await new Promise((resolve) => open.close(resolve))
  })

  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler)
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenant/tokens/OAuth/2`
  }

  const form = new URLSearchParams({ grant_type: 'client_credentials', resource: 'a/b@c' })

  it('POSTs the form url-encoded and reads the answer', async () => {
    let seen: Record<string, string | undefined> = {}
    const url = await serve((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen = { method: req.method, type: req.headers['content-type'], body: Buffer.concat(chunks).toString(), url: req.url }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token_type: 'Bearer', access_token: 'x.y.z', expires_in: '3599' }))
      })
    })
    expect(await requestAccessToken(url, form, OPTS, NOW)).toEqual({ accessToken: 'x.y.z', expiresInSec: 3599 })
    expect(seen).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded', body: 'grant_type=client_credentials&resource=a%2Fb%40c', url: '/tenant/tokens/OAuth/2' })
  })

  const failures: Array<[string, http.RequestListener, Partial<IssuanceError>]> = [
    ['an OAuth error answer', (_q, s) => void s.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client","error_description":"no"}'), { reason: 'status', status: 401, oauthError: 'invalid_client' }],
    ['an error code that is not a plain token', (_q, s) => void s.writeHead(400).end('{"error":"bad\\"quote"}'), { reason: 'status', status: 400, oauthError: undefined }],
    ['a redirect', (_q, s) => void s.writeHead(302, { location: 'http://127.0.0.1:1/' }).end(), { reason: 'redirect' }],
    ['a 200 that is not JSON', (_q, s) => void s.writeHead(200).end('<html>'), { reason: 'not_json' }],
    ['an answer over maxBytes', (_q, s) => void s.writeHead(200).end('x'.repeat(5000)), { reason: 'too_large' }],
    ['a reset connection', (q) => q.socket.destroy(), { reason: 'network' }],
  ]
  it.each(failures)('fails on %s', async (_label, handler, expected) => {
    const url = await serve(handler)
    const err = await requestAccessToken(url, form, OPTS, NOW).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(IssuanceError)
    expect(err).toMatchObject(expected)
  })

  // Issue 16: the token request had its own copy of the capped client, which classified a failed name lookup as
  // `network` (the metadata fetch and partner calls: `dns`), and read an oversized answer until the byte cap or the
  // deadline instead of refusing its Content-Length at once as the metadata fetch did.
  it('reports a failing resolver as dns, like the metadata fetch', async () => {
    await expect(requestAccessToken('https://acs.invalid/t', form, { ...OPTS, lookup: failingLookup }, NOW)).rejects.toMatchObject({ reason: 'dns' })
  })

  it('refuses an answer whose Content-Length is over maxBytes before reading it', async () => {
    const url = await serve((_q, s) => void s.writeHead(200, { 'content-length': '5000' }).write('{'))
    await expect(requestAccessToken(url, form, OPTS, NOW)).rejects.toMatchObject({ reason: 'too_large' })
  })

  it('gives up after timeoutMs when the server never answers', async () => {
    const url = await serve(() => {})
    await expect(requestAccessToken(url, form, { ...OPTS, timeoutMs: 50 }, NOW)).rejects.toMatchObject({ reason: 'timeout' })
  })

  it.each([
    ['http without allowHttp', 'http://127.0.0.1:1/t', { ...OPTS, allowHttp: false }],
    ['http to a remote host', 'http://10.1.2.3/t', OPTS],
    ['credentials in the URL', 'https://u:p@acs.test/t', OPTS],
    ['not a URL', 'tokens/OAuth/2', OPTS],
  ])('refuses %s before connecting', async (_label, url, opts) => {
    await expect(requestAccessToken(url, form, opts, NOW)).rejects.toMatchObject({ reason: 'url' })
  })
})
