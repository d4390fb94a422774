// Unit: how each forward-auth dialect describes the original request (issue 13), and every description that must be
// a deny rather than a guess: repeated fields, disagreeing URI forms or hosts, missing method or URI.
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { dialectOf, originalOf } from '../../../src/forward-auth/index.js'

const request = (lines: Array<[string, string]>, method = 'GET', url = '/auth/nginx'): IncomingMessage =>
  ({ method, url, rawHeaders: lines.flat() }) as unknown as IncomingMessage

describe('dialectOf', () => {
  it.each([
    ['/auth/nginx', 'nginx'], ['/auth/forward', 'forward'], ['/auth/envoy/', 'envoy'], ['/auth/envoy/api/x', 'envoy'],
    ['/auth/envoy', undefined], ['/auth/envoyx/a', undefined], ['/auth/nginx/', undefined], ['/AUTH/nginx', undefined], ['/', undefined],
  ])('%s -> %s', (path, dialect) => {
    expect(dialectOf(path)).toBe(dialect)
  })
})

describe('originalOf', () => {
  it('nginx: X-Original-Method, -URI and -Host, names in any case', () => {
    expect(originalOf(request([['x-original-method', 'POST'], ['X-ORIGINAL-URI', '/a?b=1'], ['X-Original-Host', 'gw.contoso.com']]), 'nginx'))
      .toEqual({ ok: true, original: { method: 'POST', url: '/a?b=1', host: 'gw.contoso.com' } })
  })

  it('nginx: the absolute X-Original-URL of ingress-nginx gives the target, byte for byte, and the host', () => {
    expect(originalOf(request([['X-Original-Method', 'GET'], ['X-Original-URL', 'https://gw.contoso.com/a/./b?x']]), 'nginx'))
      .toEqual({ ok: true, original: { method: 'GET', url: '/a/./b?x', host: 'gw.contoso.com' } })
    expect(originalOf(request([['X-Original-Method', 'GET'], ['X-Original-URL', 'https://gw.contoso.com']]), 'nginx'))
      .toEqual({ ok: true, original: { method: 'GET', url: '/', host: 'gw.contoso.com' } })
  })

  it('nginx: the host falls back to X-Forwarded-Host, then Host', () => {
    expect(originalOf(request([['X-Original-Method', 'GET'], ['X-Original-URI', '/a'], ['Host', 'h1'], ['X-Forwarded-Host', 'h2']]), 'nginx'))
      .toMatchObject({ original: { host: 'h2' } })
    expect(originalOf(request([['X-Original-Method', 'GET'], ['X-Original-URI', '/a'], ['Host', 'h1']]), 'nginx')).toMatchObject({ original: { host: 'h1' } })
  })

  it.each([
    ['a repeated X-Original-URI', [['X-Original-Method', 'GET'], ['X-Original-URI', '/a'], ['x-original-uri', '/b'], ['Host', 'h']], 'repeated_header'],
    ['a repeated Host', [['X-Original-Method', 'GET'], ['X-Original-URI', '/a'], ['Host', 'h'], ['Host', 'i']], 'repeated_header'],
    ['URI and URL disagreeing', [['X-Original-Method', 'GET'], ['X-Original-URI', '/a'], ['X-Original-URL', 'https://h/b'], ['Host', 'h']], 'original_uri_mismatch'],
    ['Host and URL authority disagreeing', [['X-Original-Method', 'GET'], ['X-Original-URL', 'https://h/a'], ['X-Original-Host', 'i']], 'original_host_mismatch'],
    ['a URL that is not absolute http(s)', [['X-Original-Method', 'GET'], ['X-Original-URL', '/a'], ['Host', 'h']], 'original_url'],
    ['no method', [['X-Original-URI', '/a'], ['Host', 'h']], 'missing_method'],
    ['an empty method', [['X-Original-Method', ''], ['X-Original-URI', '/a'], ['Host', 'h']], 'missing_method'],
    ['no URI', [['X-Original-Method', 'GET'], ['Host', 'h']], 'missing_uri'],
    ['no host at all', [['X-Original-Method', 'GET'], ['X-Original-URI', '/a']], 'missing_host'],
    // The decision caches' key separator (deploy/nginx, ingress-nginx): in the path or the query, either URI form.
    ['a raw | in X-Original-URI', [['X-Original-Method', 'GET'], ['X-Original-URI', '/a|b'], ['Host', 'h']], 'original_uri_separator'],
    ['a raw | in the query', [['X-Original-Method', 'GET'], ['X-Original-URI', '/a?q=x|y'], ['Host', 'h']], 'original_uri_separator'],
    ['a raw | in X-Original-URL', [['X-Original-Method', 'GET'], ['X-Original-URL', 'https://h/a|b']], 'original_uri_separator'],
  ] as Array<[string, Array<[string, string]>, string]>)('nginx: %s is a problem', (_what, lines, problem) => {
    expect(originalOf(request(lines), 'nginx')).toEqual({ ok: false, problem })
  })

  it('nginx: an encoded | (%7C) is an ordinary target', () => {
    expect(originalOf(request([['X-Original-Method', 'GET'], ['X-Original-URI', '/a%7Cb'], ['Host', 'h']]), 'nginx')).toMatchObject({ ok: true, original: { url: '/a%7Cb' } })
  })

  it('forward: X-Forwarded-Method, -Uri, -Host; a repeated one is a problem', () => {
    const lines: Array<[string, string]> = [['X-Forwarded-Method', 'PUT'], ['X-Forwarded-Uri', '/x'], ['X-Forwarded-Host', 'gw'], ['Host', 'auth']]
    expect(originalOf(request(lines, 'GET', '/auth/forward'), 'forward')).toEqual({ ok: true, original: { method: 'PUT', url: '/x', host: 'gw' } })
    expect(originalOf(request([...lines, ['x-forwarded-uri', '/y']], 'GET', '/auth/forward'), 'forward')).toEqual({ ok: false, problem: 'repeated_header' })
    expect(originalOf(request([['X-Forwarded-Uri', '/x'], ['Host', 'gw']], 'GET', '/auth/forward'), 'forward')).toEqual({ ok: false, problem: 'missing_method' })
  })

  it('envoy: its own method, the path after /auth/envoy (query kept) and its Host', () => {
    expect(originalOf(request([['Host', 'gw']], 'DELETE', '/auth/envoy/api/x?y=1'), 'envoy')).toEqual({ ok: true, original: { method: 'DELETE', url: '/api/x?y=1', host: 'gw' } })
  })
})
