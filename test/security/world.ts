// Security suite: the world every attack file runs against, all real and on 127.0.0.1: the gateway, an echo
// backend, two partner metadata servers and a static partner. Plus the checks every case makes: the prescribed
// status, the backend saw nothing (or exactly the verified identity), and the gateway still serves a good request.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { startEchoUpstream, type EchoUpstream, type SeenRequest } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { rawHttp, type RawResponse } from '../helpers/raw-http.js'
import { EXCHANGE_ID, makeTestPartner, REALM, type TestPartner } from '../helpers/tokens.js'

export const LYNC_ID = '00000004-0000-0ff1-ce00-000000000000'
export const HR_ID = '11111111-2222-3333-4444-555555555555'
export const PUBLIC_PATHS = ['/public/ping', '/status/health']

/** A clock the gateway reads: real time unless a test freezes it (exact skew boundaries) or jumps it. */
export interface TestClock {
  now(): number
  freeze(ms: number | undefined): void
  /** Move the clock by `deltaSec` (negative: backwards); `jump(0)` after `reset()` is real time again. */
  jump(deltaSec: number): void
  reset(): void
  /** The clock's time in epoch seconds, for minting tokens valid at that time. */
  nowSec(): number
}

export function testClock(): TestClock {
  let frozen: number | undefined
  let offsetMs = 0
  const now = (): number => frozen ?? Date.now() + offsetMs
  return {
    now,
    freeze: (ms) => void (frozen = ms),
    jump: (deltaSec) => void (offsetMs += deltaSec * 1000),
    reset: () => void ((offsetMs = 0), (frozen = undefined)),
    nowSec: () => Math.floor(now() / 1000),
  }
}

export interface World {
  upstream: EchoUpstream
  /** Full trust, by metadata URL, pinned applicationId and realm. */
  exchange: TestPartner
  /** Application trust, by metadata URL, not pinned (its document names it). */
  lync: TestPartner
  /** Application trust, registered by certificate file. */
  hr: TestPartner
  /** Not registered: claims to be Exchange (same id and realm) but holds its own key. */
  rogue: TestPartner
  exchangeMeta: MetadataServer
  lyncMeta: MetadataServer
  gw: TestGateway
  clock: TestClock
  /** host:port of the gateway, for Host lines. */
  host: string
  close(): Promise<void>
}

/** `overrides` replace top-level config keys; `more.partners` are registered after the world's own three. */
export async function startWorld(overrides: RawConfig = {}, more: { partners?: RawConfig[] } = {}): Promise<World> {
  const upstream = await startEchoUpstream()
  const [exchange, lync, hr, rogue] = await Promise.all([
    makeTestPartner(),
    makeTestPartner({ id: LYNC_ID }),
    makeTestPartner({ id: HR_ID }),
    makeTestPartner({ subject: 'CN=rogue' }),
  ])
  const [exchangeMeta, lyncMeta] = await Promise.all([startMetadataServer(exchange), startMetadataServer(lync)])
  const dir = mkdtempSync(join(tmpdir(), 's2s-security-'))
  writeFileSync(join(dir, 'hr.pem'), hr.cert.certPem)
  const clock = testClock()
  const gw = await startTestGateway(
    upstream.url,
    {
      publicPaths: PUBLIC_PATHS,
      tokens: { maxLifetimeSec: 90_000, maxTokenBytes: 8192, clockSkewSec: 300 },
      metadata: { timeoutMs: 5000, refetchCooldownSec: 3600 },
      partners: [
        metadataPartner('exchange', exchangeMeta.url, { applicationId: EXCHANGE_ID, realm: REALM }),
        metadataPartner('lync', lyncMeta.url, { trustLevel: 'application' }),
        { name: 'hr-addin', applicationId: HR_ID, realm: REALM, certificates: [join(dir, 'hr.pem')], trustLevel: 'application' },
        ...(more.partners ?? []),
      ],
      ...overrides,
    },
    { now: clock.now },
  )
  await gw.running.gateway.warmUp()
  return {
    upstream, exchange, lync, hr, rogue, exchangeMeta, lyncMeta, gw, clock,
    host: new URL(gw.url).host,
    async close() {
      await gw.close()
      await Promise.all([exchangeMeta.close(), lyncMeta.close(), upstream.close()])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const bearer = (token: string): string => `Authorization: Bearer ${token}`

/** Send a request exactly as written: `GET <target>` with Host and Connection: close, plus `lines`. */
export function send(w: World, target: string, lines: string[] = [], method = 'GET', body = ''): Promise<RawResponse> {
  const length = body === '' ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]
  const head = [`${method} ${target} HTTP/1.1`, `Host: ${w.host}`, ...lines, ...length, 'Connection: close', '', ''].join('\r\n')
  return rawHttp(w.gw.url, head + body)
}

/** Every identity-looking header (any case, `_` for `-`) the backend received, sorted. */
export function identitySeen(seen: SeenRequest | undefined): Array<[string, string]> {
  const raw = seen?.rawHeaders ?? []
  const out: Array<[string, string]> = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase().replace(/_/g, '-')
    if (name.startsWith('x-s2s-')) out.push([name, raw[i + 1] ?? ''])
  }
  return out.sort(([a], [b]) => a.localeCompare(b))
}

/** The headers the backend must see for a verified app-only Exchange call. */
export function exchangeApp(w: World): Array<[string, string]> {
  return identity({ partner: 'exchange', id: w.exchange.id, trust: 'full', type: 'app' })
}

export function identity(o: { partner: string; id: string; trust: string; type: 'app' | 'user'; user?: Record<string, string> }): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ['x-s2s-auth-type', o.type],
    ['x-s2s-partner', o.partner],
    ['x-s2s-partner-id', o.id],
    ['x-s2s-realm', REALM],
    ['x-s2s-trust-level', o.trust],
  ]
  for (const [claim, value] of Object.entries(o.user ?? {})) pairs.push([`x-s2s-user-${claim}`, value])
  return pairs.sort(([a], [b]) => a.localeCompare(b))
}

/** Number of log lines so far; pass to `logsSince` to look at what one request logged. */
export const logMark = (w: World): number => w.gw.logs().length
export const logsSince = (w: World, mark: number): Array<Record<string, unknown>> => w.gw.logs().slice(mark)

/** A good app-only request still gets through, and the backend sees exactly the verified identity. */
export async function expectStillServes(w: World): Promise<void> {
  w.upstream.seen.length = 0
  const res = await fetch(`${w.gw.url}/api/after`, { headers: { authorization: `Bearer ${w.exchange.actorToken()}` } })
  expect(res.status, 'the next good request').toBe(200)
  await res.arrayBuffer()
  expect(identitySeen(w.upstream.seen[0])).toEqual(exchangeApp(w))
  w.upstream.seen.length = 0
}

export interface RefusalCheck {
  /** The precise reason the log must carry (TokenRejectReason), when the gateway itself refused. */
  reason?: string
  /** 401 without a token at all: the bare challenge, no error attribute. */
  missing?: boolean
  /** The answer is fastify's or Node's own (parser errors, 431): no JSON body of ours to check. */
  foreign?: boolean
}

const BODIES: Record<number, { error: string; message: string }> = {
  400: { error: 'bad_request', message: 'bad request' },
  403: { error: 'forbidden', message: 'not allowed' },
  501: { error: 'not_implemented', message: 'not implemented' },
  503: { error: 'unavailable', message: 'partner keys unavailable, retry later' },
}

/**
 * The request was refused with `status`, the backend saw nothing, the log has the reason, and a good request
 * still gets through afterwards.
 */
export async function expectRefused(w: World, sent: Promise<RawResponse> | (() => Promise<RawResponse>), status: number, check: RefusalCheck = {}): Promise<RawResponse> {
  w.upstream.seen.length = 0
  const mark = logMark(w)
  const res = await (typeof sent === 'function' ? sent() : sent)
  expect(res.status, res.raw.slice(0, 200)).toBe(status)
  expect(w.upstream.seen, 'the backend saw nothing').toHaveLength(0)
  if (!check.foreign) expectOurBody(res, status, check.missing === true)
  if (check.reason !== undefined) {
    expect(logsSince(w, mark).map((l) => l['reason']), `log reason ${check.reason}`).toContain(check.reason)
  }
  await expectStillServes(w)
  return res
}

function expectOurBody(res: RawResponse, status: number, missing: boolean): void {
  if (status === 401) {
    const challenge = res.headers['www-authenticate'] ?? ''
    expect(challenge.startsWith(`Bearer realm="${REALM}"`), challenge).toBe(true)
    expect(challenge.endsWith(',error="invalid_token"')).toBe(!missing)
    expect(JSON.parse(res.body)).toEqual(missing ? { error: 'unauthorized', message: 'bearer token required' } : { error: 'invalid_token', message: 'token rejected' })
    return
  }
  const body = BODIES[status]
  if (body !== undefined) expect(JSON.parse(res.body)).toEqual(body)
}

/** Accepted, and the backend saw exactly `expected` identity headers (nothing spoofed, nothing missing). */
export async function expectNeutralised(w: World, sent: Promise<RawResponse> | (() => Promise<RawResponse>), expected: Array<[string, string]>): Promise<SeenRequest> {
  w.upstream.seen.length = 0
  const res = await (typeof sent === 'function' ? sent() : sent)
  expect(res.status, res.raw.slice(0, 200)).toBe(200)
  expect(w.upstream.seen).toHaveLength(1)
  const seen = w.upstream.seen[0] as SeenRequest
  expect(identitySeen(seen)).toEqual(expected)
  await expectStillServes(w)
  return seen
}

/** A positive control: the legitimate form is accepted and the backend sees the verified identity. */
export async function expectAccepted(w: World, sent: Promise<RawResponse> | (() => Promise<RawResponse>), expected: Array<[string, string]> = exchangeApp(w)): Promise<void> {
  await expectNeutralised(w, sent, expected)
}
