// Integration helper for the access tests (issue 10): any method, any header (repeated ones too), over node:http,
// so WebDAV and other extension methods, TRACE and Expect: 100-continue reach the gateway exactly as written.
import { request } from 'node:http'

export interface Answer {
  status: number
  body: string
  /** A 100 Continue arrived before the final answer. */
  continued: boolean
}

/** `headers` as [name, value] pairs, sent in order (a name may repeat). */
export function send(baseUrl: string, method: string, path: string, headers: Array<[string, string]> = [], body?: string): Promise<Answer> {
  const url = new URL(baseUrl)
  // With headers as a list, Node adds no Host of its own (and the gateway's server requires one).
  const flat = [['host', url.host] as [string, string], ...headers].flat()
  return new Promise((resolve, reject) => {
    let continued = false
    const req = request({ host: url.hostname, port: url.port, method, path, headers: flat, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, continued }))
    })
    req.on('error', reject)
    req.on('continue', () => {
      continued = true
      req.end(body)
    })
    const expectsContinue = headers.some(([n, v]) => n.toLowerCase() === 'expect' && v === '100-continue')
    if (expectsContinue) req.flushHeaders()
    else req.end(body)
  })
}
