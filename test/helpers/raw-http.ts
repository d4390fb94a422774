// Test helper: send bytes exactly as written (fetch and http.request normalise paths and merge headers),
// and read back the status line, headers and body of the first response.
import net from 'node:net'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
  raw: string
}

export function parseRawResponse(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n')
  const head = end === -1 ? raw : raw.slice(0, end)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: end === -1 ? '' : raw.slice(end + 4), raw }
}

/** Send `request` (use \r\n line ends) to base URL's host:port; resolves when the server closes or after `waitMs`. */
export function rawHttp(baseUrl: string, request: string, waitMs = 1500): Promise<RawResponse> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(request))
    const done = (): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(parseRawResponse(Buffer.concat(chunks).toString('utf8')))
    }
    // A keep-alive server does not close: stop once a full response (by content-length) is in.
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      const r = parseRawResponse(Buffer.concat(chunks).toString('utf8'))
      const length = Number(r.headers['content-length'] ?? NaN)
      if (r.status > 0 && Number.isFinite(length) && Buffer.byteLength(r.body) >= length) done()
    })
    socket.on('end', done)
    socket.on('error', (err) => (chunks.length > 0 ? done() : reject(err)))
    const timer = setTimeout(done, waitMs)
  })
}

/** A GET with the given raw target and extra header lines. */
export function rawGet(baseUrl: string, target: string, headerLines: string[] = []): Promise<RawResponse> {
  const host = new URL(baseUrl).host
  return rawHttp(baseUrl, [`GET ${target} HTTP/1.1`, `Host: ${host}`, ...headerLines, 'Connection: close', '', ''].join('\r\n'))
}
