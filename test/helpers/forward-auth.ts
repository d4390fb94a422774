// Test helper: decision requests to the forward-auth listener, written byte for byte as a proxy would send them
// (every header line as given, duplicates kept), and the header sets the nginx dialect expects.
import { rawHttp, type RawResponse } from './raw-http.js'
import { PUBLIC_HOST } from './tokens.js'

/** One decision request; a `Host:` line among `lines` replaces the default one. */
export function askDecision(baseUrl: string, target: string, lines: string[], method = 'GET'): Promise<RawResponse> {
  const host = lines.some((l) => /^host:/i.test(l)) ? [] : ['Host: auth.local']
  return rawHttp(baseUrl, [`${method} ${target} HTTP/1.1`, ...host, ...lines, 'Connection: close', '', ''].join('\r\n'))
}

export const bearer = (token: string): string => `Authorization: Bearer ${token}`

/** What the shipped nginx config sets on every auth subrequest. */
export const nginxLines = (method: string, uri: string, extra: string[] = []): string[] =>
  [`X-Original-Method: ${method}`, `X-Original-URI: ${uri}`, `X-Original-Host: ${PUBLIC_HOST}`, ...extra]
