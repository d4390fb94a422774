// Security suite, metadata poisoning (issue 5 §1): a partner's own metadata URL starts serving a document that
// changes the issuer, lists no usable key, is 50 MB, trickles in (slow-loris), redirects to another host, or is not
// JSON. Each time the document is refused, the old keys keep serving, forged tokens stay out, nothing crashes.
import http from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest'
import type { Partner } from '../../src/partners/types.js'
import { exchangeDocument, type MetadataServer } from '../helpers/metadata-server.js'
import { startLoopbackServer } from '../helpers/metadata-loopback.js'
import { unusableCertificate } from '../helpers/metadata-docs.js'
import { REALM } from '../helpers/tokens.js'
import { securityTally } from './report.js'
import { bearer, exchangeApp, expectAccepted, expectRefused, identity, send, startWorld, type World } from './world.js'

let w: World
beforeAll(async () => {
  // A fetch deadline far shorter than the slow-loris document takes (80 s), yet long enough that a busy machine
  // still loads the genuine document in time: the outcome is asserted, not the time.
  w = await startWorld({ metadata: { timeoutMs: 3000, refetchCooldownSec: 3600 } })
})
afterAll(async () => {
  await w?.close()
})
afterEach(async () => {
  // Back to the genuine documents, loaded again, for the next case.
  for (const meta of [w.exchangeMeta, w.lyncMeta]) {
    meta.handler = undefined
    meta.override = undefined
  }
  for (const p of partners()) await p.refreshNow()
})

const tally = securityTally('metadata', import.meta.url)
const partners = (): readonly Partner[] => w.gw.running.gateway.holder.current.registry.all()
const partner = (name: string): Partner => partners().find((p) => p.name === name) as Partner

interface Health { name: string; state: string; keys: number; lastFetch: { ok: boolean; error?: string } | null }
async function health(name: string): Promise<Health | undefined> {
  const ready = (await (await fetch(`${w.gw.adminUrl}/readyz`)).json()) as { partners: Health[] }
  return ready.partners.find((p) => p.name === name)
}

const lyncApp = () => identity({ partner: 'lync', id: w.lync.id, trust: 'application', type: 'app' })

/**
 * Poison one partner's document, make the gateway fetch it, and check: refused with `reason`, state stale with
 * the old keys, the partner's good tokens still accepted, a forged token still refused, the gateway healthy.
 */
async function expectPoisonRefused(name: 'exchange' | 'lync', poison: (meta: MetadataServer) => void, reason: string): Promise<void> {
  const meta = name === 'exchange' ? w.exchangeMeta : w.lyncMeta
  const sender = name === 'exchange' ? w.exchange : w.lync
  const before = await health(name)
  expect(before?.state).toBe('ok')
  poison(meta)
  const fetchesBefore = meta.fetches
  expect(await partner(name).refreshNow()).toBe(false)
  expect(meta.fetches).toBe(fetchesBefore + 1)
  const after = await health(name)
  expect(after).toMatchObject({ state: 'stale', keys: before?.keys, lastFetch: { ok: false, error: reason } })
  await expectAccepted(w, send(w, '/api/items', [bearer(sender.actorToken())]), name === 'exchange' ? exchangeApp(w) : lyncApp())
  await expectRefused(w, send(w, '/api/items', [bearer(sender.actorToken({}, {}, w.rogue.cert.privateKey))]), 401, { reason: 'signature' })
  expect((await fetch(`${w.gw.adminUrl}/healthz`)).status).toBe(200)
}

const genuine = (name: 'exchange' | 'lync') => exchangeDocument(name === 'exchange' ? w.exchange : w.lync, '') as Record<string, unknown>

describe('documents that change who the partner is', () => {
  tally.attack('metadata', 'a pinned partner whose document names another issuer', () =>
    expectPoisonRefused('exchange', (m) => void (m.override = { ...genuine('exchange'), issuer: `00000009-0000-0000-0000-000000000000@${REALM}`, serviceName: '00000009-0000-0000-0000-000000000000' }), 'pinned_mismatch'))
  tally.attack('metadata', 'an unpinned partner whose document changes its issuer id', () =>
    expectPoisonRefused('lync', (m) => void (m.override = { ...genuine('lync'), issuer: `00000009-0000-0000-0000-000000000000@${REALM}`, serviceName: '00000009-0000-0000-0000-000000000000' }), 'issuer_changed'))
  tally.attack('metadata', 'an unpinned partner whose document changes its realm', () =>
    expectPoisonRefused('lync', (m) => void (m.override = { ...genuine('lync'), issuer: `${w.lync.id}@fabrikam.com`, realm: 'fabrikam.com' }), 'issuer_changed'))
  tally.attack('metadata', "a document that claims another registered partner's issuer (Exchange's)", () =>
    expectPoisonRefused('lync', (m) => void (m.override = { ...genuine('lync'), issuer: w.exchange.issuer, serviceName: w.exchange.id }), 'issuer_changed'))
})

describe('documents without a usable key', () => {
  tally.attack('metadata', 'an empty keys list', () => expectPoisonRefused('exchange', (m) => void (m.override = { ...genuine('exchange'), keys: [] }), 'no_usable_key'))
  tally.attack('metadata', 'no keys member', () => expectPoisonRefused('exchange', (m) => void (m.override = { ...genuine('exchange'), keys: undefined }), 'no_keys'))
  tally.attack('metadata', 'only an RSA-1024 certificate', async () => {
    const weak = await unusableCertificate('rsa1024')
    await expectPoisonRefused('exchange', (m) => void (m.override = { ...genuine('exchange'), keys: [{ usage: 'signing', keyvalue: { type: 'x509Certificate', value: weak } }] }), 'no_usable_key')
  })
  tally.attack('metadata', 'only an EC certificate', async () => {
    const ec = await unusableCertificate('ec')
    await expectPoisonRefused('exchange', (m) => void (m.override = { ...genuine('exchange'), keys: [{ usage: 'signing', keyvalue: { type: 'x509Certificate', value: ec } }] }), 'no_usable_key')
  })
  tally.attack('metadata', 'only an encryption key', () =>
    expectPoisonRefused('exchange', (m) => void (m.override = { ...genuine('exchange'), keys: [{ usage: 'encryption', keyvalue: { type: 'x509Certificate', value: w.rogue.cert.der.toString('base64') } }] }), 'no_usable_key'))
  tally.attack('metadata', 'garbage certificate values', () =>
    expectPoisonRefused('exchange', (m) => void (m.override = { ...genuine('exchange'), keys: [{ usage: 'signing', keyvalue: { type: 'x509Certificate', value: 'LS0tLS1CRUdJTiBnYXJiYWdl' } }] }), 'no_usable_key'))
  tally.attack('metadata', '60,000 empty key entries (only the first 100 are read)', () =>
    expectPoisonRefused('exchange', (m) => void (m.override = { ...genuine('exchange'), keys: Array.from({ length: 60_000 }, () => ({})) }), 'no_usable_key'))
})

describe('documents too big, too slow, elsewhere or not JSON', () => {
  const FIFTY_MB = 50 * 1024 * 1024
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  /** Write up to `total` bytes, stopping as soon as the gateway hangs up. */
  const stream = (res: http.ServerResponse, total: number): void => {
    let sent = 0
    const pump = (): void => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
      if (!res.destroyed) res.end()
    }
    res.on('error', () => {})
    pump()
  }
  tally.attack('metadata', 'a 50 MB document (Content-Length announced)', () =>
    expectPoisonRefused('exchange', (m) => void (m.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': FIFTY_MB })
      stream(res, FIFTY_MB)
    }), 'too_large'))
  tally.attack('metadata', 'a 50 MB document (chunked, no length)', () =>
    expectPoisonRefused('exchange', (m) => void (m.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      stream(res, FIFTY_MB)
    }), 'too_large'))
  tally.attack('metadata', 'a slow-loris document (one byte at a time, never finished in time)', () =>
    expectPoisonRefused('exchange', (m) => void (m.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const body = JSON.stringify(genuine('exchange'))
      let i = 0
      const timer = setInterval(() => (res.destroyed || i >= body.length ? clearInterval(timer) : res.write(body[i++] ?? '')), 50)
      res.on('close', () => clearInterval(timer))
    }), 'timeout'))
  tally.attack('metadata', 'a server that accepts and never answers', () =>
    expectPoisonRefused('exchange', (m) => void (m.handler = () => {}), 'timeout'))
  tally.attack('metadata', 'a redirect to another host serving an attacker document', async () => {
    let attackerHits = 0
    const attacker = await startLoopbackServer((_req, res) => {
      attackerHits++
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...genuine('exchange'), keys: [{ usage: 'signing', keyvalue: { type: 'x509Certificate', value: w.rogue.cert.der.toString('base64') } }] }))
    })
    await expectPoisonRefused('exchange', (m) => void (m.handler = (_req, res) => res.writeHead(302, { location: attacker.url() }).end()), 'redirect')
    expect(attackerHits).toBe(0)
  })
  tally.attack('metadata', 'a permanent redirect on the same host', () =>
    expectPoisonRefused('exchange', (m) => void (m.handler = (_req, res) => res.writeHead(301, { location: '/elsewhere/metadata/json/1' }).end()), 'redirect'))
  tally.attack('metadata', 'an HTML page instead of JSON', () =>
    expectPoisonRefused('exchange', (m) => void (m.override = '<html><body>Sign in</body></html>'), 'not_json'))
  tally.attack('metadata', 'invalid UTF-8', () =>
    expectPoisonRefused('exchange', (m) => void (m.handler = (_req, res) => res.writeHead(200).end(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))), 'not_json'))
  tally.attack('metadata', 'a JSON array', () => expectPoisonRefused('exchange', (m) => void (m.override = [genuine('exchange')]), 'not_object'))
  tally.attack('metadata', 'JSON nested 500,000 levels deep', () =>
    expectPoisonRefused('exchange', (m) => void (m.override = `${'['.repeat(500_000)}${']'.repeat(500_000)}`), 'not_object'))
  tally.attack('metadata', 'a gzip-encoded body the gateway never asked for', () =>
    expectPoisonRefused('exchange', (m) => void (m.handler = (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]))), 'not_json'))
  tally.attack('metadata', 'HTTP 500', () => expectPoisonRefused('exchange', (m) => void (m.handler = (_req, res) => res.writeHead(500).end()), 'status'))
  tally.attack('metadata', 'a connection reset in the middle of the body', () =>
    expectPoisonRefused('exchange', (m) => void (m.handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100_000 })
      res.write('{"issuer":')
      setImmediate(() => req.socket.destroy())
    }), 'network'))
})

describe('poisoning through the on-demand refetch', () => {
  tally.attack('metadata', 'a flood of forged tokens while the document is poisoned: at most one fetch, old keys serve', async () => {
    w.lyncMeta.override = { ...genuine('lync'), issuer: `00000009-0000-0000-0000-000000000000@${REALM}` }
    const before = w.lyncMeta.fetches
    const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      send(w, '/api/items', [bearer(w.lync.actorToken({ jti: i }, { x5t: `forged-${i}` }, w.rogue.cert.privateKey))]).then((r) => r.status)))
    expect(new Set(statuses)).toEqual(new Set([401]))
    expect(w.lyncMeta.fetches - before).toBeLessThanOrEqual(1)
    await expectAccepted(w, send(w, '/api/items', [bearer(w.lync.actorToken())]), lyncApp())
  })
})
