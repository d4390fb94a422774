// Unit: the request-side pieces of the outbound listener: splitting /<partner>/<rest>, joining with the partner's
// base URL, act-as headers, the shared secret, and which headers reach the partner.
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/errors/index.js'
import { readActAs } from '../../../src/outbound/act-as.js'
import { splitTarget } from '../../../src/outbound/outbound-server.js'
import { partnerRequestHeaders } from '../../../src/outbound/partner-headers.js'
import { endpointOf, targetPath, targetUrl } from '../../../src/outbound/partner-table.js'
import { checkSharedSecret, secretMatches } from '../../../src/outbound/shared-secret.js'

describe('splitTarget and targetUrl', () => {
  it.each([
    ['/exchange/EWS/Exchange.asmx?a=1', 'exchange', '/EWS/Exchange.asmx?a=1'],
    ['/exchange', 'exchange', '/'],
    ['/exchange?x=/y', 'exchange', '/?x=/y'],
    ['/exchange/', 'exchange', '/'],
    ['/', '', '/'],
  ])('%s -> %s + %s', (url, name, rest) => {
    expect(splitTarget(url)).toEqual({ name, rest })
  })

  it.each([
    ['https://mail.contoso.com', '/EWS/x?a=1', 'https://mail.contoso.com/EWS/x?a=1'],
    ['https://sp.contoso.com/sites/hr/', '/_api/web', 'https://sp.contoso.com/sites/hr/_api/web'],
    ['https://sp.contoso.com/sites/hr', '/', 'https://sp.contoso.com/sites/hr/'],
    ['http://127.0.0.1:9000/base', '/a%20b?q=%2F', 'http://127.0.0.1:9000/base/a%20b?q=%2F'],
  ])('%s + %s -> %s', (base, rest, expected) => {
    expect(targetUrl(new URL(base), rest).href).toBe(expected)
  })

  // What targetUrl did before it joined text and parsed once (issue 11): URL's own setters, the reference.
  function bySetters(base: URL, pathAndQuery: string): string {
    const url = new URL(base.href)
    const q = pathAndQuery.indexOf('?')
    const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q)
    url.pathname = base.pathname.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`)
    url.search = q === -1 ? '' : pathAndQuery.slice(q)
    return url.href
  }
  const bases = ['https://mail.contoso.com', 'https://sp.contoso.com/sites/hr/', 'http://127.0.0.1:9000/base', 'https://[::1]:8443/a%20b//']
  const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
  const rests = [
    ...printable.flatMap((c) => [`/x${c}y`, `/${c}`, `/a?q=${c}&r=${c}${c}`, `${c}/z`]),
    '/a/./b', '/a/../b', '/a/%2e/b', '/a/%2E%2e/b', '/a/.%2e/', '/..', '/.', '/a/..?q=/../', '//double//slash', '/\\back\\slash',
    '/é/ü?ß=€', '/%zz/%', '?only=query', '', '/a?', '/a??b', '/a?#b', '/#frag', '/a b', '/tab\tin', ' /lead', '/trail ',
  ]
  it('joins as the pathname and search setters do, for every printable character, dot segments and the rest', () => {
    const differing = bases.flatMap((base) => rests.filter((rest) => targetUrl(new URL(base), rest).href !== bySetters(new URL(base), rest)).map((rest) => [base, rest]))
    expect(differing).toEqual([])
    // The cases that take the setters' own path are in the list too, so both paths are compared.
    expect(rests.filter((rest) => /[\x00-\x20#\x7f]/.test(rest)).length).toBeGreaterThan(5)
  })

  it('targetPath is targetUrl\'s pathname and search, whether joined as text or parsed', () => {
    let seed = 7
    const random = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n
    const alphabet = ['a', 'Z', '0', '/', '.', '?', '%', '%2e', '%2E', '2e', '&', '=', '~', '-', '_', '!', '$', "'", '(', '*', '+', ',', ';', ':', '@', '[', ']', '^', '|', '\\', '`', '{', '}', '"', '<', '>', '#', ' ', 'é']
    const randoms = Array.from({ length: 20_000 }, () => Array.from({ length: 1 + random(8) }, () => alphabet[random(alphabet.length)]).join(''))
    const all = [...rests, ...randoms, ...randoms.map((r) => `/${r}`)]
    const differing = bases.flatMap((text) => {
      const base = new URL(text)
      const partner = { base, endpoint: endpointOf(base) }
      return all.filter((rest) => {
        const url = targetUrl(base, rest)
        return targetPath(partner, rest) !== url.pathname + url.search
      }).map((rest) => [text, rest])
    })
    expect(differing).toEqual([])
    // Both ways are compared: most of these are joined as text, thousands are not.
    const inert = all.filter((rest) => /^[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*$/.test(rest))
    expect(inert.length).toBeGreaterThan(5_000)
    expect(all.length - inert.length).toBeGreaterThan(5_000)
  })
})

describe('readActAs', () => {
  const read = (headers: Record<string, string | string[]>, raw?: string[]) =>
    readActAs(headers, raw ?? Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [k, x]) : [k, v])))
  const reason = (fn: () => unknown): unknown => {
    try {
      fn()
    } catch (err) {
      return err instanceof GatewayError ? [err.status, err.detail['problem']] : err
    }
    return 'no error'
  }

  it('is undefined without act-as headers (an app-only call)', () => {
    expect(read({ 'x-other': 'a' })).toBeUndefined()
  })

  it('maps each header to its claim', () => {
    expect(read({ 'x-s2s-act-as-upn': 'a@b.c', 'x-s2s-act-as-smtp': 's@b.c', 'x-s2s-act-as-sip': 'p@b.c', 'x-s2s-act-as-nameid': 'n', 'x-s2s-act-as-nii': 'urn:x' }))
      .toEqual({ upn: 'a@b.c', smtp: 's@b.c', sip: 'p@b.c', nameid: 'n', nii: 'urn:x' })
  })

  it('decodes percent-encoded UTF-8 and keeps plain values as they are', () => {
    expect(read({ 'x-s2s-act-as-upn': '%C3%A9lodie@contoso.com', 'x-s2s-act-as-smtp': 'a+b@contoso.com' })).toEqual({ upn: 'élodie@contoso.com', smtp: 'a+b@contoso.com' })
  })

  it.each([
    ['a repeated header', { 'x-s2s-act-as-upn': 'a@b.c' }, ['x-s2s-act-as-upn', 'a@b.c', 'X-S2S-Act-As-Upn', 'b@b.c'], 'repeated'],
    ['an empty value', { 'x-s2s-act-as-upn': '  ' }, undefined, 'empty'],
    ['raw non-ASCII', { 'x-s2s-act-as-upn': 'Ã©@b.c' }, undefined, 'not_printable_ascii'],
    ['bad percent-encoding', { 'x-s2s-act-as-upn': '%E0%A4%A' }, undefined, 'bad_percent_encoding'],
    ['an encoded control character', { 'x-s2s-act-as-upn': 'a%00b' }, undefined, 'control_character'],
    ['a value that decodes to a space', { 'x-s2s-act-as-upn': '%20' }, undefined, 'empty'],
    ['an encoded space before the value', { 'x-s2s-act-as-upn': '%20ceo@contoso.com' }, undefined, 'outer_whitespace'],
    ['an encoded space after the value', { 'x-s2s-act-as-smtp': 'ceo@contoso.com%20' }, undefined, 'outer_whitespace'],
    ['an encoded Unicode space before the value', { 'x-s2s-act-as-upn': '%E2%80%83ceo@contoso.com' }, undefined, 'outer_whitespace'],
    ['nii without nameid', { 'x-s2s-act-as-nii': 'urn:office:idp:activedirectory', 'x-s2s-act-as-upn': 'a@b.c' }, undefined, 'nii_without_nameid'],
  ])('refuses %s with 400', (_name, headers, raw, problem) => {
    expect(reason(() => read(headers, raw))).toEqual([400, problem])
  })
})

describe('shared secret', () => {
  const req = (raw: string[]): IncomingMessage => {
    const headers: Record<string, string> = {}
    for (let i = 0; i < raw.length; i += 2) headers[String(raw[i]).toLowerCase()] ??= String(raw[i + 1])
    return { headers, rawHeaders: raw } as unknown as IncomingMessage
  }
  const secret = 'correct horse battery staple'

  it('compares whole values', () => {
    expect(secretMatches(secret, secret)).toBe(true)
    expect(secretMatches(secret.slice(0, -1), secret)).toBe(false)
    expect(secretMatches(`${secret} `, secret)).toBe(false)
  })

  it('requires exactly one matching field when a secret is configured, nothing otherwise', () => {
    expect(() => checkSharedSecret(req([]), undefined)).not.toThrow()
    expect(() => checkSharedSecret(req(['x-s2s-outbound-secret', secret]), secret)).not.toThrow()
    for (const raw of [[], ['x-s2s-outbound-secret', 'wrong'], ['x-s2s-outbound-secret', secret, 'X-S2S-Outbound-Secret', secret]]) {
      expect(() => checkSharedSecret(req(raw), secret)).toThrow(expect.objectContaining({ code: 'GW_OUTBOUND_SECRET', status: 403 }))
    }
  })
})

describe('partnerRequestHeaders', () => {
  const incoming = {
    host: 'gateway:8444', authorization: 'Basic abc', connection: 'x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', te: 'trailers',
    'x-s2s-act-as-upn': 'a@b.c', 'x-s2s-outbound-secret': 's', X_S2S_PARTNER: 'spoof', 'x-forwarded-for': '10.0.0.1', expect: '100-continue',
    'content-type': 'text/plain', 'content-length': '5', 'x-anchormailbox': 'alice@contoso.com', accept: 'application/json',
  }

  it('keeps end-to-end headers, drops the rest, and sets our token and the body length', () => {
    const out = partnerRequestHeaders(incoming, 'Bearer t', { kind: 'buffer', data: Buffer.from('hello'), hadBody: true })
    expect(out).toEqual({ authorization: 'Bearer t', 'content-type': 'text/plain', 'content-length': 5, 'x-anchormailbox': 'alice@contoso.com', accept: 'application/json' })
  })

  // Issue 16: this copy of the X-Forwarded-* rule wanted a name longer than the prefix; the inbound one did not.
  it('drops X-Forwarded-* in every spelling, a bare prefix too, and keeps other x-forwarded names', () => {
    const out = partnerRequestHeaders({ 'x-forwarded-ssl': 'on', x_forwarded_for: '10.0.0.1', 'x-forwarded-': '1', x_forwarded_: '1', 'x-forwarded': 'kept', 'x-forwardedfor': 'kept' }, 'Bearer t', { kind: 'buffer', data: Buffer.alloc(0), hadBody: false })
    expect(out).toEqual({ authorization: 'Bearer t', 'x-forwarded': 'kept', 'x-forwardedfor': 'kept' })
  })

  it('drops the client-address and scheme claims and the path overrides, in either spelling', () => {
    const claims = ['x-real-ip', 'x-client-ip', 'client-ip', 'true-client-ip', 'cf-connecting-ip', 'fastly-client-ip', 'x-cluster-client-ip',
      'x-original-forwarded-for', 'front-end-https', 'x-url-scheme', 'x-original-url', 'x-rewrite-url', 'x_real_ip', 'true_client_ip']
    const out = partnerRequestHeaders({ ...Object.fromEntries(claims.map((n) => [n, '10.0.0.1'])), 'x-client': 'kept' }, 'Bearer t', { kind: 'buffer', data: Buffer.alloc(0), hadBody: false })
    expect(out).toEqual({ authorization: 'Bearer t', 'x-client': 'kept' })
  })

  it('sends no length for a bodyless request, and the declared one (or chunked) for a streamed body', () => {
    expect(partnerRequestHeaders({}, 'Bearer t', { kind: 'buffer', data: Buffer.alloc(0), hadBody: false })['content-length']).toBeUndefined()
    expect(partnerRequestHeaders({}, 'Bearer t', { kind: 'buffer', data: Buffer.alloc(0), hadBody: true })['content-length']).toBe(0)
    const rest = Readable.from([])
    expect(partnerRequestHeaders({}, 'Bearer t', { kind: 'stream', head: Buffer.alloc(1), rest, contentLength: 70_000 })['content-length']).toBe(70_000)
    expect(partnerRequestHeaders({}, 'Bearer t', { kind: 'stream', head: Buffer.alloc(1), rest, contentLength: undefined })['content-length']).toBeUndefined()
  })
})
