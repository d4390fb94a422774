// Bench child: the engine's own limit. A plain node:http server handing every request to http-proxy over an
// agent with exactly the gateway's settings (createUpstreamAgent), with no authentication, no header work and
// no logging. argv: <port> <upstream url> [http-proxy|undici|outbound]
// `outbound` is the outbound listener's engine instead (issue 11): node:http in, `http.request` over a keep-alive
// agent with the partner agent's settings out, the response piped back; the first path segment (the partner's
// name) is dropped, as the outbound listener does, and nothing is signed.
import http from 'node:http'
import httpProxy from 'http-proxy'
import { DEFAULTS } from '../../src/schema/index.js'
import type { GatewayConfig } from '../../src/schema/types.js'
import { createUpstreamAgent } from '../../src/upstream/forward.js'

const [portText = '0', url = '', engine = 'http-proxy'] = process.argv.slice(2)
const upstream: GatewayConfig['upstream'] = { ...DEFAULTS.upstream, url }

function httpProxyHandler(): http.RequestListener {
  const proxy = httpProxy.createProxyServer({ target: url, agent: createUpstreamAgent(upstream), xfwd: false, prependPath: true })
  return (req, res) => {
    proxy.web(req, res, {}, () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
  }
}

/** The partner agent of src/outbound/partner-table.ts (createAgent, not exported): keep-alive, LIFO, the default idle cap. */
function outboundHandler(): http.RequestListener {
  const { maxSocketsPerPartner: maxSockets, maxIdleSocketsPerPartner } = DEFAULTS.outbound
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: Math.min(maxIdleSocketsPerPartner, maxSockets), scheduling: 'lifo' })
  const base = new URL(url)
  return (req, res) => {
    const path = req.url ?? '/'
    const slash = path.indexOf('/', 1)
    const upstream = http.request({ hostname: base.hostname, port: base.port, method: req.method, path: slash === -1 ? '/' : path.slice(slash), headers: req.headers, agent })
    upstream.once('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.once('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  }
}

/** Loaded only for the undici row, so the http-proxy row's process never loads undici. */
async function undiciHandler(): Promise<http.RequestListener> {
  const { createUndiciForwarder } = await import('../forwarders/undici-forwarder.js')
  const forwarder = createUndiciForwarder(upstream)
  return (req, res) => {
    forwarder.forward(req, res, (err) => {
      res.writeHead(err.status)
      res.end()
    })
  }
}

const server = http.createServer(engine === 'undici' ? await undiciHandler() : engine === 'outbound' ? outboundHandler() : httpProxyHandler())
server.keepAliveTimeout = 65_000
server.listen(Number(portText), '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
process.on('SIGUSR2', () => process.exit(0)) // --cpu-prof writes its profile on exit
