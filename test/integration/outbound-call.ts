// Integration helper for the outbound tests: one HTTP call with full control over headers (fetch refuses
// Connection and friends), its JSON body parsed when it is JSON, and the gateway config of an outbound partner.
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'

export interface CallResult {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json: Record<string, any> | undefined
}

export function call(baseUrl: string, path: string, opts: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {}): Promise<CallResult> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: Record<string, any> | undefined
        try {
          json = JSON.parse(text) as Record<string, any>
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** A partner registered by the stub's metadata URL and callable through the outbound listener. */
export function outboundPartner(name: string, metadataUrl: string, url: string, outbound: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, metadataUrl, allowHttp: true, trustLevel: 'full', outbound: { url, ...outbound } }
}

/** listen with an outbound listener on a free loopback port (and the usual inbound/admin ones). */
export function listenWithOutbound(outbound: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    inbound: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    outbound: { host: '127.0.0.1', port: 0, ...outbound },
  }
}

/** Decode a compact JWS/JWT segment. */
export function segment(token: string, i: 0 | 1): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[i] ?? '', 'base64url').toString('utf8')) as Record<string, any>
}
