// Regression (issue 17, hole 3) on an inbound listener serving TLS itself: a connection that never starts its TLS
// handshake, and one that completes it and then sends nothing, are both closed (connections.firstByteTimeoutMs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../src/certs/create.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { startTestGateway, type TestGateway } from '../helpers/gateway.js'

let upstream: EchoUpstream
let gw: TestGateway
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's2s-tls-'))
  const cert = await createSelfSignedCertificate({ subject: 'CN=localhost' })
  writeFileSync(join(dir, 'tls.pem'), cert.certPem)
  writeFileSync(join(dir, 'tls.key'), cert.keyPem, { mode: 0o600 })
  upstream = await startEchoUpstream()
  gw = await startTestGateway(upstream.url, {
    listen: { inbound: { host: '127.0.0.1', port: 0, tls: { cert: join(dir, 'tls.pem'), key: join(dir, 'tls.key') } }, admin: { host: '127.0.0.1', port: 0 } },
    connections: { firstByteTimeoutMs: 300 },
  })
})
afterAll(async () => {
  await gw?.close()
  await upstream?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

const port = (): number => Number(new URL(gw.url).port)

describe('TLS inbound listener: silent connections are closed', () => {
  it('a TCP connection that never sends its ClientHello', async () => {
    const socket = net.connect(port(), '127.0.0.1')
    socket.on('error', () => {})
    await new Promise<void>((resolve) => socket.once('close', () => resolve()))
    expect(socket.bytesRead).toBe(0)
  })

  it('a TLS connection that sends no request after its handshake', async () => {
    const socket = tls.connect({ port: port(), host: '127.0.0.1', rejectUnauthorized: false })
    socket.on('error', () => {})
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()))
    await new Promise<void>((resolve) => socket.once('close', () => resolve()))
    expect(gw.url.startsWith('https:')).toBe(true)
  })
})
