// Bench child: the backend. Answers every request with a small fixed JSON body after draining the request
// body; runs on the load generator's CPU so the proxy under test has its own.
import http from 'node:http'

const port = Number(process.argv[2])
const body = Buffer.from('{"ok":true,"service":"legacy-backend"}\n')
const server = http.createServer((req, res) => {
  req.resume()
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
  })
})
server.keepAliveTimeout = 65_000
server.listen(port, '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
