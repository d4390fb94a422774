// Unit: the partner's response headers handed to the backend (partner-headers.ts backendResponseHeaders), one pass
// over rawHeaders since issue 11, against what the former two-step version gave (`headers` without hop-by-hop
// names, then `headersDistinct` per name), kept here as the reference.
import { request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { withoutHopByHop } from '../../../src/identity/index.js'
import { backendResponseHeaders, locationForBackend, type AnswerOrigin } from '../../../src/outbound/partner-headers.js'

/** A partner's answer as node's parser hands it over: these fields written on a real socket, in this order and case. */
async function response(raw: string[]): Promise<IncomingMessage> {
  const lines = ['HTTP/1.1 200 OK']
  for (let i = 0; i < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`)
  const server = createServer((socket) => {
    socket.on('error', () => {})
    socket.end(`${lines.join('\r\n')}\r\n\r\n`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as AddressInfo
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, agent: false }, (res) => {
        res.on('error', () => {})
        res.destroy()
        resolve(res)
      })
      req.on('error', reject)
      req.end()
    })
  } finally {
    server.close()
  }
}

function reference(res: IncomingMessage, origin?: AnswerOrigin): OutgoingHttpHeaders {
  const kept: IncomingHttpHeaders = withoutHopByHop(res.headers, new Set(['transfer-encoding']))
  const out: OutgoingHttpHeaders = {}
  for (const name of Object.keys(kept)) {
    let values = res.headersDistinct[name]
    if (values === undefined) continue
    if (name === 'location' && origin !== undefined) {
      values = values.map((v) => locationForBackend(v, origin)).filter((v): v is string => v !== undefined)
      if (values.length === 0) continue
    }
    out[name] = values.length === 1 ? values[0] : values
  }
  return out
}

const origin: AnswerOrigin = { requestedPath: '/ews/Exchange.asmx', base: new URL('https://mail.contoso.com/ews/'), partner: 'exchange' }

const cases: Array<[string, string[]]> = [
  ['a plain answer', ['Content-Type', 'text/xml', 'Content-Length', '12', 'Date', 'Thu, 03 Dec 2026 08:00:00 GMT']],
  ['repeated fields stay separate, in order', ['WWW-Authenticate', 'Bearer realm="a"', 'www-authenticate', 'NTLM', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'X-Thing', 'one', 'X-THING', 'two', 'x-thing', 'three']],
  ['hop-by-hop and framing fields are dropped', ['Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c', 'Proxy-Authenticate', 'Basic', 'Trailer', 'X-T', 'TE', 'trailers', 'X-Kept', '1']],
  ['fields Connection nominates are dropped in both spellings', ['Connection', 'X-Secret, X_Other', 'X-Secret', 's', 'X_Secret', 's2', 'x-other', 'o', 'X_Other', 'o2', 'X-Kept', 'k']],
  ['two Connection fields nominate together', ['Connection', 'x-a', 'Connection', 'x-b', 'X-A', '1', 'X-B', '2', 'X-C', '3']],
  ['Location under the base maps to the listener, elsewhere absolute, nonsense dropped', ['Location', '/ews/next?x=1', 'Content-Length', '0']],
  ['a Location outside the base becomes absolute', ['Location', '../other/steal']],
  ['a Location that is no URL is dropped', ['Location', 'http://[broken', 'X-Kept', '1']],
  ['duplicate Locations are each mapped', ['Location', '/ews/a', 'Location', 'https://evil.example/x']],
  ['no fields at all', []],
]

describe('backendResponseHeaders', () => {
  it.each(cases)('%s: as the two-step reference gives', async (_name, raw) => {
    const res = await response(raw)
    expect(res.rawHeaders).toEqual(raw)
    expect(backendResponseHeaders(res, origin)).toEqual(reference(res, origin))
    expect(backendResponseHeaders(res)).toEqual(reference(res))
  })

  it('keeps what the backend must see and drops what it must not', async () => {
    const out = backendResponseHeaders(await response([
      'WWW-Authenticate', 'Bearer realm="a"', 'WWW-Authenticate', 'NTLM', 'Connection', 'X-Secret', 'X-Secret', 's',
      'Transfer-Encoding', 'chunked', 'Location', '/ews/next', 'Content-Type', 'text/xml',
    ]), origin)
    expect(out).toEqual({ 'www-authenticate': ['Bearer realm="a"', 'NTLM'], location: '/exchange/next', 'content-type': 'text/xml' })
  })
})
