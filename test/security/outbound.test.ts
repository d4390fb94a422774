// Security suite, outbound listener (issue 3, issue 5 §1): the listener our backend calls partners through signs
// with our certificate, so it must never be an open proxy, never forward what the backend should not send (its own
// Authorization, x-s2s-* headers, hop-by-hop headers, the shared secret), never let a partner steer which audience
// we mint for or where our token goes (challenges, redirects), and stay bounded against slow or huge partners.
// Every case asserts the answer, what each partner stub (and the inbound backend) saw, and that the next good call
// works. The partners: "sharepoint" and "lync" are stubs that verify our tokens against our published metadata;
// "hostile" is an echo server we script per case (its identity: Exchange's metadata document); "stalling" is the
// same server with a short outbound.timeoutMs, for the cases about deadlines.
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { startEchoUpstream, type EchoUpstream, type SeenRequest } from '../helpers/echo-upstream.js'
import { type RawConfig } from '../helpers/gateway.js'
import { SHAREPOINT_ID, startPartnerStub, type PartnerStub } from '../helpers/partner-stub.js'
import { rawHttp, type RawResponse } from '../helpers/raw-http.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { EXCHANGE_ID, makeTestPartner, REALM, SERVICE_ID } from '../helpers/tokens.js'
import { call, listenWithOutbound, outboundPartner, segment } from '../integration/outbound-call.js'
import { securityTally } from './report.js'
import { HR_ID, LYNC_ID } from './world.js'
import { until } from '../helpers/until.js'

const SECRET = 'an-outbound-secret-of-some-length'
const ISSUER = `${SERVICE_ID}@${REALM}`
const INBOUND_ONLY_ID = '22222222-3333-4444-5555-666666666666'

let stack: Stack
let guarded: Stack
let sharepoint: PartnerStub
let lync: PartnerStub
let hostile: EchoUpstream
let out: string
let guardedOut: string
let dir: string

/** The partners of both gateways (the shared-secret one reaches only "hostile"). */
function partners(metadataUrl: string): RawConfig[] {
  return [
    outboundPartner('sharepoint', sharepoint.metadataUrl, `${sharepoint.url}/sites/hr`, { actAsUsers: true }),
    outboundPartner('lync', lync.metadataUrl, lync.url),
    outboundPartner('hostile', metadataUrl, hostile.url, { actAsUsers: true }),
    { name: 'inbound-only', applicationId: INBOUND_ONLY_ID, realm: REALM, certificates: [join(dir, 'inbound-only.pem')], trustLevel: 'application' },
    { name: 'stalling', applicationId: HR_ID, realm: REALM, certificates: [join(dir, 'stalling.pem')], trustLevel: 'application', outbound: { url: `${hostile.url}/stall`, timeoutMs: 300 } },
  ]
}
const config = (): RawConfig => ({ listen: listenWithOutbound(), metadata: { timeoutMs: 5000 }, partners: partners(stack.meta.url) })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's2s-security-outbound-'))
  writeFileSync(join(dir, 'stalling.pem'), (await makeTestPartner({ id: HR_ID })).cert.certPem)
  writeFileSync(join(dir, 'inbound-only.pem'), (await makeTestPartner({ id: INBOUND_ONLY_ID })).cert.certPem)
  ;[sharepoint, lync, hostile] = await Promise.all([startPartnerStub(), startPartnerStub({ id: LYNC_ID }), startEchoUpstream()])
  stack = await startStack(({ metadataUrl }) => ({ listen: listenWithOutbound(), metadata: { timeoutMs: 5000 }, partners: partners(metadataUrl) }))
  guarded = await startStack(({ metadataUrl }) => ({ listen: listenWithOutbound({ sharedSecret: SECRET }), partners: [outboundPartner('hostile', metadataUrl, hostile.url)] }))
  out = stack.gw.running.outboundUrl ?? ''
  guardedOut = guarded.gw.running.outboundUrl ?? ''
  for (const stub of [sharepoint, lync]) stub.gatewayMetadataUrl = `${stack.gw.url}/metadata/json/1`
  await Promise.all([stack.gw.running.gateway.warmUp(), guarded.gw.running.gateway.warmUp()])
})
afterAll(async () => {
  await Promise.all([stack?.close(), guarded?.close()])
  await Promise.all([sharepoint?.close(), lync?.close(), hostile?.close()])
  rmSync(dir, { recursive: true, force: true })
})

const tally = securityTally('outbound', import.meta.url)

// ---------------------------------------------------------------------------------------------------------------
// What every case checks

const hostileHost = (): string => new URL(hostile.url).host
/** The audience of our tokens for "hostile": Exchange's principal (its metadata), its host, its realm. */
const hostileAud = (realm = REALM): string => `${EXCHANGE_ID}/${hostileHost()}@${realm}`

function resetSeen(): void {
  for (const stub of [sharepoint, lync]) {
    stub.accepted.length = 0
    stub.rejections.length = 0
    stub.probes = 0
    stub.rejectAll = undefined
  }
  hostile.seen.length = 0
  hostile.handler = undefined
  stack.upstream.seen.length = 0
  guarded.upstream.seen.length = 0
}

/** Requests each partner (and the inbound backends) received since the last reset. */
function seenCounts(): Record<string, number> {
  const count = (s: PartnerStub): number => s.accepted.length + s.rejections.length + s.probes
  return { sharepoint: count(sharepoint), lync: count(lync), hostile: hostile.seen.length, backend: stack.upstream.seen.length + guarded.upstream.seen.length }
}
const NOBODY = { sharepoint: 0, lync: 0, hostile: 0, backend: 0 }

/** Send bytes exactly as written to a listener: request line, Host, `lines`, Connection: close, body. */
function sendTo(base: string, target: string, lines: string[] = [], method = 'GET', body = ''): Promise<RawResponse> {
  const length = body === '' ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]
  const head = [`${method} ${target} HTTP/1.1`, `Host: ${new URL(base).host}`, ...lines, ...length, 'Connection: close', '', ''].join('\r\n')
  // A generous wait: the answer comes when the gateway closes the connection, so a slow machine costs only time.
  return rawHttp(base, head + body, 20_000)
}
const send = (target: string, lines: string[] = [], method = 'GET', body = ''): Promise<RawResponse> => sendTo(out, target, lines, method, body)

/** The next good call reaches sharepoint, app-only, and nobody else. */
async function expectOutboundServes(base = out): Promise<void> {
  resetSeen()
  if (base === guardedOut) {
    const res = await call(base, '/hostile/after', { headers: { 'x-s2s-outbound-secret': SECRET } })
    expect(res.status, 'the next good call').toBe(200)
    expect(seenCounts()).toEqual({ ...NOBODY, hostile: 1 })
  } else {
    const res = await call(base, '/sharepoint/after')
    expect(res.status, `the next good call: ${res.text.slice(0, 200)}`).toBe(200)
    expect(sharepoint.accepted.map((a) => a.authType)).toEqual(['app'])
    expect(seenCounts()).toEqual({ ...NOBODY, sharepoint: 1 })
  }
  resetSeen()
}

interface Refusal {
  /** The GW_ code our JSON body must carry. */
  code?: string
  /** Node's own answer (parser errors, 431): no JSON body of ours. */
  foreign?: boolean
  /** The listener under attack. Default: the one without a shared secret. */
  base?: string
}

/** Refused with `status`, no partner and no backend saw anything, and the next good call works. */
async function expectOutRefused(sent: () => Promise<RawResponse>, status: number, check: Refusal = {}): Promise<RawResponse> {
  resetSeen()
  const res = await sent()
  expect(res.status, res.raw.slice(0, 300)).toBe(status)
  if (check.code !== undefined) expect(JSON.parse(res.body)).toMatchObject({ code: check.code })
  else if (!check.foreign && res.body !== '') expect(() => JSON.parse(res.body)).not.toThrow()
  expect(seenCounts(), 'no partner saw anything').toEqual(NOBODY)
  await expectOutboundServes(check.base ?? out)
  return res
}

/** [lowercase name, value] of every header field a partner received, in order. */
function fields(seen: SeenRequest | undefined): Array<[string, string]> {
  const raw = seen?.rawHeaders ?? []
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < raw.length; i += 2) pairs.push([(raw[i] ?? '').toLowerCase(), raw[i + 1] ?? ''])
  return pairs
}

/** The one Authorization field a partner received: exactly one, ours (our x5t, our issuer, its audience). */
function expectOurTokenOnly(seen: SeenRequest | undefined, aud = hostileAud()): Record<string, any> {
  const auth = fields(seen).filter(([name]) => name === 'authorization')
  expect(auth, 'exactly one Authorization field').toHaveLength(1)
  const value = auth[0]?.[1] ?? ''
  expect(value).toMatch(/^Bearer ey[\w-]+\.[\w-]+\.[\w-]+$/)
  const token = value.slice('Bearer '.length)
  expect(segment(token, 0)).toEqual({ typ: 'JWT', alg: 'RS256', x5t: stack.gw.issuerCert.x5t })
  const claims = segment(token, 1)
  expect([claims['iss'], claims['aud']]).toEqual([ISSUER, aud])
  return claims
}

/** A call hostile answers with its echo: 200, hostile saw exactly one request, nobody else anything. */
async function expectForwarded(sent: () => Promise<{ status: number; raw?: string; text?: string }>, check: (seen: SeenRequest) => void, base = out): Promise<SeenRequest> {
  resetSeen()
  const res = await sent()
  expect(res.status, (res.raw ?? res.text ?? '').slice(0, 300)).toBe(200)
  expect(seenCounts()).toEqual({ ...NOBODY, hostile: 1 })
  const seen = hostile.seen[0] as SeenRequest
  check(seen)
  await expectOutboundServes(base)
  return seen
}

const isProbe = (req: IncomingMessage): boolean => /^Bearer\s*$/.test(req.headers.authorization ?? '')
const tokenOf = (seen: SeenRequest | undefined): string => String(seen?.headers.authorization ?? '').replace(/^Bearer\s*/, '')
const json = (res: ServerResponse, status: number, body: object, headers: http.OutgoingHttpHeaders = {}): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text)
}

/** A 401 with these challenges written as raw bytes (Node would refuse to write some of them itself). */
function raw401(res: ServerResponse, challenge: string | string[]): void {
  const lines = (typeof challenge === 'string' ? [challenge] : challenge).map((c) => `WWW-Authenticate: ${c}\r\n`).join('')
  res.socket?.end(`HTTP/1.1 401 Unauthorized\r\n${lines}Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`)
}

/** For the cases whose partner is "hostile"/"stalling" itself: its own copy of the request is the point, not a leak. */
const partnerWasTheTarget = (sent: Promise<RawResponse>): Promise<RawResponse> => sent.then((res) => {
  hostile.seen.length = 0
  return res
})

/**
 * Force a fresh discovery state (a reload builds a new outbound side: no learnt challenge, no recent probe), so each
 * challenge case starts from the partner's metadata alone.
 */
function freshDiscovery(): void {
  stack.gw.reload(config())
}

// ---------------------------------------------------------------------------------------------------------------

describe('no open proxy: only configured partners, only under their URL', () => {
  const lyncHost = () => new URL(lync.url).host
  const refusedTargets: Array<[string, () => string, number, string?]> = [
    ['an absolute-form target naming another host', () => 'http://evil.example/x', 400, 'GW_BAD_REQUEST'],
    ['an absolute-form target naming a configured partner\'s own address', () => `http://${lyncHost()}/x`, 400, 'GW_BAD_REQUEST'],
    ['an absolute-form target naming the listener with a partner path', () => `http://${new URL(out).host}/lync/x`, 400, 'GW_BAD_REQUEST'],
    ['a network-path target //evil.example/x', () => '//evil.example/x', 400, 'GW_BAD_REQUEST'],
    ['an empty segment after the partner (/sharepoint//evil.example/x)', () => '/sharepoint//evil.example/x', 400, 'GW_BAD_REQUEST'],
    ['a dot-dot segment into another partner (/sharepoint/../lync/x)', () => '/sharepoint/../lync/x', 400, 'GW_BAD_REQUEST'],
    ['an encoded dot-dot segment (%2e%2e)', () => '/sharepoint/%2e%2e/lync/x', 400, 'GW_BAD_REQUEST'],
    ['a half-encoded dot-dot segment (.%2E)', () => '/sharepoint/.%2E/lync/x', 400, 'GW_BAD_REQUEST'],
    ['an encoded slash inside the partner name (sharepoint%2F..%2Flync)', () => '/sharepoint%2F..%2Flync/x', 400, 'GW_BAD_REQUEST'],
    ['an encoded slash after a dot-dot (/sharepoint/..%2Flync/x)', () => '/sharepoint/..%2Flync/x', 400, 'GW_BAD_REQUEST'],
    ['encoded slashes making a network path (/sharepoint/%2F%2Fevil.example)', () => '/sharepoint/%2F%2Fevil.example/x', 400, 'GW_BAD_REQUEST'],
    ['a backslash dot-dot (/sharepoint\\..\\lync/x)', () => '/sharepoint\\..\\lync/x', 400, 'GW_BAD_REQUEST'],
    ['an encoded backslash dot-dot (/sharepoint/..%5Clync/x)', () => '/sharepoint/..%5Clync/x', 400, 'GW_BAD_REQUEST'],
    ['a fragment hiding an authority (/sharepoint/x#@evil.example)', () => '/sharepoint/x#@evil.example', 400, 'GW_BAD_REQUEST'],
    ['an encoded NUL after the partner name', () => '/sharepoint%00/x', 400, 'GW_BAD_REQUEST'],
    ['the asterisk form (OPTIONS *)', () => '*', 400, 'GW_BAD_REQUEST'],
    ['userinfo glued to the partner name (/sharepoint@evil.example/x)', () => '/sharepoint@evil.example/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['userinfo as the partner name (/@evil.example/x)', () => '/@evil.example/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['a partner name with a port-like suffix (/sharepoint:443/x)', () => '/sharepoint:443/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['the partner name in another case (/SharePoint/x)', () => '/SharePoint/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['the partner name in upper case (/LYNC/x)', () => '/LYNC/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['the partner name with a trailing dot (/sharepoint./x)', () => '/sharepoint./x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['the partner name with an encoded trailing dot (/sharepoint%2e/x)', () => '/sharepoint%2e/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['the partner name percent-encoded (/%73harepoint/x)', () => '/%73harepoint/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['the partner name with a matrix parameter (/sharepoint;x=1/x)', () => '/sharepoint;x=1/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
    ['a partner configured for inbound only (no outbound section) is no outbound target', () => '/inbound-only/x', 404, 'GW_OUTBOUND_UNKNOWN_PARTNER'],
  ]
  for (const [title, target, status, code] of refusedTargets) {
    tally.attack('outbound', title, () => expectOutRefused(() => send(target(), [], target() === '*' ? 'OPTIONS' : 'GET'), status, code === undefined ? {} : { code }))
  }

  tally.attack('outbound', 'an unknown partner name is not echoed in the answer', async () => {
    const res = await expectOutRefused(() => send('/%3Cscript%3Ealert(1)%3C%3Escript%3E/x'), 404, { code: 'GW_OUTBOUND_UNKNOWN_PARTNER' })
    expect(res.body).not.toMatch(/script/i)
    expect(JSON.parse(res.body)['partner']).toBeUndefined()
  })

  for (const [title, target, expected] of [
    ['userinfo after the partner name stays a path at that partner (/sharepoint/@evil.example/x)', '/sharepoint/@evil.example/x', '/sites/hr/@evil.example/x'],
    ['a double-encoded dot-dot stays a path at that partner', '/sharepoint/%252e%252e/lync/x', '/sites/hr/%252e%252e/lync/x'],
    ['a Tomcat-style "..;" segment stays a path at that partner', '/sharepoint/..;/lync/x', '/sites/hr/..;/lync/x'],
    ['an authority in the query stays a query at that partner', '/sharepoint/x?next=http://evil.example/&host=@evil.example', '/sites/hr/x?next=http://evil.example/&host=@evil.example'],
  ] as const) {
    tally.attack('outbound', title, async () => {
      resetSeen()
      const res = await send(target)
      expect(res.status, res.raw.slice(0, 300)).toBe(200)
      expect(seenCounts()).toEqual({ ...NOBODY, sharepoint: 1 })
      expect(sharepoint.accepted[0]?.url).toBe(expected)
      expect(sharepoint.accepted[0]?.headers.host).toBe(new URL(sharepoint.url).host)
      await expectOutboundServes()
    })
  }

  tally.attack('outbound', 'a Host header naming another partner (and X-Forwarded-Host) does not change where the call goes', async () => {
    const lyncHost = new URL(lync.url).host
    const seen = await expectForwarded(() => rawHttp(out, ['GET /hostile/x HTTP/1.1', `Host: ${lyncHost}`, `X-Forwarded-Host: ${lyncHost}`, 'Connection: close', '', ''].join('\r\n')), () => {})
    expect(seen.headers.host).toBe(hostileHost())
    expect(seen.headers['x-forwarded-host']).toBeUndefined()
    expectOurTokenOnly(seen)
  })

  tally.attack('outbound', 'a Host header naming evil.example does not change the audience we mint for', async () => {
    const seen = await expectForwarded(() => rawHttp(out, ['GET /hostile/x HTTP/1.1', 'Host: evil.example', 'Connection: close', '', ''].join('\r\n')), () => {})
    expect(seen.headers.host).toBe(hostileHost())
    expect(expectOurTokenOnly(seen)['aud']).toBe(hostileAud())
  })

  for (const [title, target] of [
    ['CONNECT to another host is answered 400 and tunnels nothing', 'evil.example:443'],
    ['CONNECT to a configured partner\'s address is answered 400 and tunnels nothing', ''],
  ] as const) {
    tally.attack('outbound', title, () => expectOutRefused(() => {
      const authority = target === '' ? new URL(lync.url).host : target
      return rawHttp(out, `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\nGET /x HTTP/1.1\r\nHost: ${authority}\r\n\r\n`)
    }, 400))
  }

  tally.attack('outbound', 'a WebSocket upgrade (a tunnel) is answered 501 and nothing reaches the partner', () =>
    expectOutRefused(() => rawHttp(out, ['GET /hostile/socket HTTP/1.1', `Host: ${new URL(out).host}`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '', ''].join('\r\n')), 501, { foreign: true }))
  tally.attack('outbound', 'an h2c upgrade is answered 501 and nothing reaches the partner', () =>
    expectOutRefused(() => rawHttp(out, ['GET /hostile/x HTTP/1.1', `Host: ${new URL(out).host}`, 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA', '', ''].join('\r\n')), 501, { foreign: true }))

  tally.attack('outbound', 'TRACE is not relayed: a partner echoing it would hand our bearer token to the caller', () =>
    expectOutRefused(() => send('/hostile/x', [], 'TRACE'), 501, { code: 'GW_NOT_IMPLEMENTED' }))
})

describe('the shared secret (listen.outbound.sharedSecret)', () => {
  const refused = (lines: () => string[], target = '/hostile/x') => () =>
    expectOutRefused(() => sendTo(guardedOut, target, lines()), 403, { code: 'GW_OUTBOUND_SECRET', base: guardedOut })
  const cases: Array<[string, () => string[], string?]> = [
    ['missing', () => []],
    ['wrong', () => ['x-s2s-outbound-secret: not-the-outbound-secret-at-all']],
    ['a prefix of the secret', () => [`x-s2s-outbound-secret: ${SECRET.slice(0, -1)}`]],
    ['the secret with a suffix', () => [`x-s2s-outbound-secret: ${SECRET}x`]],
    ['the secret in another case', () => [`x-s2s-outbound-secret: ${SECRET.toUpperCase()}`]],
    ['empty', () => ['x-s2s-outbound-secret: ']],
    ['under an underscore spelling (x_s2s_outbound_secret)', () => [`x_s2s_outbound_secret: ${SECRET}`]],
    ['under an underscore spelling in upper case (X_S2S_OUTBOUND_SECRET)', () => [`X_S2S_OUTBOUND_SECRET: ${SECRET}`]],
    ['under a near-miss name (x-s2s-outbound-secrets)', () => [`x-s2s-outbound-secrets: ${SECRET}`]],
    ['sent twice, both right', () => [`x-s2s-outbound-secret: ${SECRET}`, `X-S2S-Outbound-Secret: ${SECRET}`]],
    ['sent twice, right then wrong', () => [`x-s2s-outbound-secret: ${SECRET}`, 'x-s2s-outbound-secret: wrong-wrong-wrong-wrong']],
    ['sent twice, wrong then right', () => ['x-s2s-outbound-secret: wrong-wrong-wrong-wrong', `x-s2s-outbound-secret: ${SECRET}`]],
    ['as one comma-joined field holding it twice', () => [`x-s2s-outbound-secret: ${SECRET}, ${SECRET}`]],
    ['in the query string instead', () => [], `/hostile/x?x-s2s-outbound-secret=${SECRET}`],
    ['as a bearer token instead', () => [`Authorization: Bearer ${SECRET}`]],
    ['only nominated in Connection', () => ['Connection: x-s2s-outbound-secret']],
    ['missing, for an unknown partner (403 before any partner name is looked up)', () => [], '/nobody/x'],
    ['missing, with an ambiguous path (403 before the path is judged)', () => [], '/hostile/../lync/x'],
  ]
  for (const [title, lines, target] of cases) tally.attack('outbound', `shared secret ${title}`, refused(lines, target))

  tally.attack('outbound', 'shared secret in a chunked trailer instead of a header', () =>
    expectOutRefused(() => rawHttp(guardedOut, ['POST /hostile/x HTTP/1.1', `Host: ${new URL(guardedOut).host}`, 'Transfer-Encoding: chunked', 'Trailer: x-s2s-outbound-secret', 'Connection: close', '', ''].join('\r\n') +
      `4\r\nbody\r\n0\r\nx-s2s-outbound-secret: ${SECRET}\r\n\r\n`), 403, { code: 'GW_OUTBOUND_SECRET', base: guardedOut }))

  tally.attack('outbound', 'the right secret is removed before forwarding, with its underscore copy, and never logged', async () => {
    const seen = await expectForwarded(() => sendTo(guardedOut, '/hostile/x', [`x-s2s-outbound-secret: ${SECRET}`, `x_s2s_outbound_secret: ${SECRET}`, 'Connection: x-s2s-outbound-secret']), () => {}, guardedOut)
    expect(JSON.stringify(seen.rawHeaders)).not.toContain(SECRET)
    expect(seen.body).not.toContain(SECRET)
    expect(guarded.gw.logText()).not.toContain(SECRET)
  })

  tally.control('outbound', 'the secret under an upper-case header name (names are case-insensitive) is accepted and not forwarded', async () => {
    const seen = await expectForwarded(() => sendTo(guardedOut, '/hostile/x', [`X-S2S-OUTBOUND-SECRET: ${SECRET}`]), () => {}, guardedOut)
    expect(JSON.stringify(seen.rawHeaders)).not.toContain(SECRET)
  })
})

describe('act-as headers (calls on behalf of a user)', () => {
  for (const [title, lines] of [
    ['x-s2s-act-as-upn to a partner without actAsUsers', ['x-s2s-act-as-upn: alice@contoso.com']],
    ['x-s2s-act-as-smtp to a partner without actAsUsers', ['x-s2s-act-as-smtp: alice@contoso.com']],
    ['x-s2s-act-as-sip to a partner without actAsUsers', ['x-s2s-act-as-sip: alice@contoso.com']],
    ['x-s2s-act-as-nameid with -nii to a partner without actAsUsers', ['x-s2s-act-as-nameid: s-1-5-21-1-2-3-500', 'x-s2s-act-as-nii: urn:office:idp:activedirectory']],
    ['X-S2S-ACT-AS-UPN (upper case) to a partner without actAsUsers', ['X-S2S-ACT-AS-UPN: administrator@contoso.com']],
  ] as const) {
    tally.attack('outbound', title, () => expectOutRefused(() => send('/lync/x', [...lines]), 403, { code: 'GW_OUTBOUND_ACT_AS_DENIED' }))
  }

  const bad = (lines: string[], opts: Refusal = { code: 'GW_BAD_REQUEST' }) => () => expectOutRefused(() => send('/hostile/me', lines), 400, opts)
  tally.attack('outbound', 'act-as value with an encoded CR LF and a header after it', bad(['x-s2s-act-as-upn: alice@contoso.com%0D%0AX-S2S-Act-As-Nameid: s-1-5-18']))
  tally.attack('outbound', 'act-as value with an encoded NUL', bad(['x-s2s-act-as-upn: alice@contoso.com%00admin']))
  tally.attack('outbound', 'act-as value with an encoded DEL', bad(['x-s2s-act-as-smtp: alice%7F@contoso.com']))
  tally.attack('outbound', 'act-as value with a raw tab', bad(['x-s2s-act-as-upn: alice\t@contoso.com']))
  tally.attack('outbound', 'act-as value with raw non-ASCII bytes', bad(['x-s2s-act-as-upn: jürgen@contoso.com']))
  tally.attack('outbound', 'act-as value with a raw control character (Node\'s own 400)', bad(['x-s2s-act-as-upn: alice\u0001@contoso.com'], { foreign: true }))
  tally.attack('outbound', 'act-as value with a raw NUL (Node\'s own 400)', bad(['x-s2s-act-as-upn: alice\u0000@contoso.com'], { foreign: true }))
  tally.attack('outbound', 'act-as value with a bare LF and a header after it (Node\'s own 400)', bad(['x-s2s-act-as-upn: alice@contoso.com\nx-s2s-act-as-nameid: s-1-5-18'], { foreign: true }))
  tally.attack('outbound', 'act-as value with a bare CR (Node\'s own 400)', bad(['x-s2s-act-as-upn: alice@contoso.com\rx-s2s-act-as-nameid: s-1-5-18'], { foreign: true }))
  tally.attack('outbound', 'act-as value of 1,025 characters', bad([`x-s2s-act-as-upn: ${'a'.repeat(1015)}@contoso.c`]))
  tally.attack('outbound', 'act-as value that decodes to invalid UTF-8', bad(['x-s2s-act-as-upn: %C3%28@contoso.com']))
  tally.attack('outbound', 'act-as value with broken percent-encoding', bad(['x-s2s-act-as-upn: alice%zz@contoso.com']))
  tally.attack('outbound', 'act-as value of only spaces', bad(['x-s2s-act-as-upn:    ']))
  tally.attack('outbound', 'act-as header repeated with the same value', bad(['x-s2s-act-as-upn: alice@contoso.com', 'x-s2s-act-as-upn: alice@contoso.com']))
  tally.attack('outbound', 'act-as header repeated with another user', bad(['x-s2s-act-as-upn: alice@contoso.com', 'x-s2s-act-as-upn: administrator@contoso.com']))
  tally.attack('outbound', 'act-as header repeated in two spellings of case', bad(['x-s2s-act-as-smtp: alice@contoso.com', 'X-S2S-Act-As-Smtp: administrator@contoso.com']))
  tally.attack('outbound', 'act-as nii without nameid (an identity provider with no user)', bad(['x-s2s-act-as-nii: urn:office:idp:activedirectory']))
  tally.attack('outbound', 'a header block over 16 KiB of act-as values (Node\'s own 431)', () =>
    expectOutRefused(() => send('/hostile/me', Array.from({ length: 20 }, (_, i) => `x-s2s-act-as-${i}: ${'a'.repeat(1000)}`)), 431, { foreign: true }))

  tally.attack('outbound', 'JSON syntax in an act-as value stays inside that one claim', async () => {
    const sneaky = 'alice@contoso.com","nameid":"s-1-5-18","trustedfordelegation":"true'
    const seen = await expectForwarded(() => send('/hostile/me', [`x-s2s-act-as-upn: ${sneaky}`, 'x-s2s-act-as-smtp: bob%22%2C%22nii%22%3A%22x']), () => {})
    const outer = segment(tokenOf(seen), 1)
    const { actortoken, aud, iss, nbf, exp, ...user } = outer
    expect(user).toEqual({ upn: sneaky, smtp: 'bob","nii":"x' })
    expect([aud, iss, typeof nbf, typeof exp]).toEqual([hostileAud(), ISSUER, 'number', 'number'])
    expect(segment(String(actortoken), 1)['nameid']).toBe(ISSUER)
  })

  tally.attack('outbound', 'act-as headers under other claim names (actortoken, trustedfordelegation, iss) add nothing to the token', async () => {
    const seen = await expectForwarded(() => send('/hostile/me', ['x-s2s-act-as-actortoken: x.y.z', 'x-s2s-act-as-trustedfordelegation: true', 'x-s2s-act-as-iss: 00000003-0000-0ff1-ce00-000000000000@contoso.com', 'x-s2s-act-as-upn: alice@contoso.com']), () => {})
    const { actortoken: _a, aud: _b, iss, nbf: _c, exp: _d, ...user } = segment(tokenOf(seen), 1)
    expect([iss, user]).toEqual([ISSUER, { upn: 'alice@contoso.com' }])
    expect(fields(seen).filter(([n]) => n.includes('act'))).toEqual([])
  })

  tally.attack('outbound', 'act-as headers under underscore spellings are neither honoured nor forwarded', async () => {
    const seen = await expectForwarded(() => send('/hostile/me', ['x_s2s_act_as_upn: administrator@contoso.com', 'X_S2S_ACT_AS_NAMEID: s-1-5-18']), () => {})
    expect(segment(tokenOf(seen), 0)['alg']).toBe('RS256') // app-only: the call is the gateway's own
    expect(fields(seen).filter(([n]) => /s2s/.test(n))).toEqual([])
  })

  tally.attack('outbound', 'act-as headers nominated in Connection are read once and never forwarded', async () => {
    resetSeen()
    const res = await send('/sharepoint/me', ['Connection: x-s2s-act-as-upn', 'x-s2s-act-as-upn: alice@contoso.com'])
    expect(res.status).toBe(200)
    expect(sharepoint.accepted[0]?.user).toEqual({ upn: 'alice@contoso.com' })
    expect(Object.keys(sharepoint.accepted[0]?.headers ?? {}).filter((n) => n.includes('s2s'))).toEqual([])
    await expectOutboundServes()
  })
})

describe('the backend\'s own Authorization, hop-by-hop and x-s2s-* headers', () => {
  const ours = (seen: SeenRequest) => void expectOurTokenOnly(seen)
  tally.attack('outbound', 'a forged bearer token from the backend is replaced by ours', async () => {
    const forged = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"iss":"${EXCHANGE_ID}@${REALM}"}`).toString('base64url')}.`
    const seen = await expectForwarded(() => send('/hostile/x', [`Authorization: Bearer ${forged}`]), ours)
    expect(JSON.stringify(seen.rawHeaders)).not.toContain(forged)
  })
  tally.attack('outbound', 'two Authorization fields from the backend: only ours arrives', () =>
    expectForwarded(() => send('/hostile/x', ['Authorization: Basic YWRtaW46YWRtaW4=', 'Authorization: Bearer backend-token']), ours))
  tally.attack('outbound', 'AUTHORIZATION in upper case with Basic credentials: only ours arrives', async () => {
    const seen = await expectForwarded(() => send('/hostile/x', ['AUTHORIZATION: Basic YWRtaW46YWRtaW4=']), ours)
    expect(JSON.stringify(seen.rawHeaders)).not.toContain('YWRtaW46YWRtaW4=')
  })
  tally.attack('outbound', 'Connection: authorization cannot strip our token', () =>
    expectForwarded(() => send('/hostile/x', ['Connection: authorization', 'Authorization: Bearer backend-token']), ours))
  tally.attack('outbound', 'Proxy-Authorization from the backend is not forwarded', async () => {
    const seen = await expectForwarded(() => send('/hostile/x', ['Proxy-Authorization: Basic YWRtaW46YWRtaW4=']), ours)
    expect(fields(seen).filter(([n]) => n.startsWith('proxy-'))).toEqual([])
  })
  tally.attack('outbound', 'an Authorization sent as a chunked trailer is not forwarded', async () => {
    const seen = await expectForwarded(() => rawHttp(out, ['POST /hostile/x HTTP/1.1', `Host: ${new URL(out).host}`, 'Transfer-Encoding: chunked', 'Trailer: Authorization', 'Connection: close', '', ''].join('\r\n') +
      '4\r\nbody\r\n0\r\nAuthorization: Bearer backend-token\r\n\r\n'), ours)
    expect(seen.body).toBe('body')
    expect(JSON.stringify(seen.rawHeaders)).not.toContain('backend-token')
  })

  tally.attack('outbound', 'hop-by-hop headers and those nominated in Connection are stripped', async () => {
    const seen = await expectForwarded(() => send('/hostile/x', [
      'Connection: keep-alive, X-Internal-Route, x-debug', 'Keep-Alive: timeout=5', 'TE: trailers', 'Trailer: X-Checksum', 'Proxy-Connection: keep-alive',
      'Upgrade: h2c', 'X-Internal-Route: admin', 'X-Debug: 1', 'X-Kept: yes',
    ]), ours)
    const names = fields(seen).map(([n]) => n)
    for (const gone of ['keep-alive', 'te', 'trailer', 'proxy-connection', 'upgrade', 'x-internal-route', 'x-debug']) expect(names).not.toContain(gone)
    expect(seen.headers['x-kept']).toBe('yes')
  })
  tally.attack('outbound', 'Connection nominating the body framing cannot make the partner misread the body', async () => {
    const seen = await expectForwarded(() => send('/hostile/x', ['Connection: content-length, transfer-encoding, host'], 'POST', 'exact body'), ours)
    expect(seen.body).toBe('exact body')
    expect(seen.headers['content-length']).toBe('10')
    expect(seen.headers.host).toBe(hostileHost())
  })
  tally.attack('outbound', 'Expect: 100-continue is not passed on to the partner', async () => {
    const seen = await expectForwarded(() => call(out, '/hostile/x', { method: 'POST', body: 'data', headers: { expect: '100-continue' } }), ours)
    expect(seen.headers.expect).toBeUndefined()
  })
  tally.attack('outbound', 'Content-Length with Transfer-Encoding (request smuggling) is Node\'s own 400', () =>
    expectOutRefused(() => rawHttp(out, ['POST /hostile/x HTTP/1.1', `Host: ${new URL(out).host}`, 'Content-Length: 4', 'Transfer-Encoding: chunked', 'Connection: close', '', '0\r\n\r\nGET /lync/x HTTP/1.1\r\nHost: x\r\n\r\n'].join('\r\n')), 400, { foreign: true }))
  tally.attack('outbound', 'two different Content-Length fields are Node\'s own 400', () =>
    expectOutRefused(() => rawHttp(out, ['POST /hostile/x HTTP/1.1', `Host: ${new URL(out).host}`, 'Content-Length: 4', 'Content-Length: 40', 'Connection: close', '', 'body'].join('\r\n')), 400, { foreign: true }))

  tally.attack('outbound', 'every x-s2s-* header from the backend (identity, issuer, secret, unknown, any case, "_" for "-") is removed', async () => {
    const seen = await expectForwarded(() => send('/hostile/x', [
      'x-s2s-partner: sharepoint', 'X-S2S-Partner-Id: 00000003-0000-0ff1-ce00-000000000000', 'x-s2s-auth-type: user', 'X-S2S-User-Upn: administrator@contoso.com',
      'x-s2s-trust-level: full', 'x-s2s-realm: contoso.com', 'x-s2s-issuer: acs', 'x-s2s-outbound-secret: guess-guess-guess-guess', 'x-s2s-admin: true',
      'X_S2S_Partner: sharepoint', 'x_s2s-user_upn: administrator@contoso.com', 'Connection: X_S2S_Auth_Type', 'X_S2S_Auth_Type: user',
    ]), ours)
    expect(fields(seen).filter(([n]) => /^x[-_]s2s[-_]/.test(n))).toEqual([])
  })
  tally.attack('outbound', 'X-Forwarded-*, Forwarded and their underscore spellings from the backend are removed', async () => {
    const seen = await expectForwarded(() => send('/hostile/x', [
      'X-Forwarded-For: 10.0.0.1', 'X-Forwarded-Host: admin.internal', 'X-Forwarded-Proto: https', 'X-Forwarded-Port: 443', 'Forwarded: for=10.0.0.1;host=admin.internal',
      'X-Forwarded-Prefix: /admin', 'X-Forwarded-Server: admin.internal', 'X-Forwarded-Ssl: on', 'X_Forwarded_For: 10.0.0.1', 'X_FORWARDED_HOST: admin.internal',
    ]), ours)
    expect(fields(seen).filter(([n]) => /^x[-_]forwarded|^forwarded$/.test(n))).toEqual([])
  })
})

describe('a hostile partner\'s challenge cannot choose the audience we mint for', () => {
  /**
   * "hostile" answers 401 with `challenge` to the first call and to every probe, and 200 to the retry. Returns the
   * claims of the token the retry carried (its audience is what the case is about).
   */
  async function challenged(challenge: string | string[], outcome: 'retried' | 'refused' = 'retried'): Promise<{ res: RawResponse; retry: Record<string, any> | undefined }> {
    freshDiscovery()
    resetSeen()
    let calls = 0
    hostile.handler = (req, res) => {
      if (isProbe(req) || calls++ === 0) return raw401(res, challenge)
      json(res, 200, { ok: true })
    }
    const res = await send('/hostile/x', [], 'POST', 'replayable')
    const withToken = hostile.seen.filter((s) => tokenOf(s) !== '')
    expect(seenCounts()).toMatchObject({ sharepoint: 0, lync: 0, backend: 0 })
    if (outcome === 'refused') return { res, retry: undefined }
    expect(res.status, res.raw.slice(0, 300)).toBe(200)
    expect(withToken).toHaveLength(2)
    const retry = expectOurTokenOnly(withToken[1], String(segment(tokenOf(withToken[1]), 1)['aud']))
    return { res, retry }
  }
  const pinned = async (challenge: string | string[], realm = REALM): Promise<void> => {
    const { retry } = await challenged(challenge)
    expect(retry?.['aud']).toBe(hostileAud(realm))
    freshDiscovery()
    await expectOutboundServes()
  }

  tally.attack('outbound', 'a challenge naming another principal (SharePoint\'s client_id)', () => pinned(`Bearer realm="${REALM}",client_id="${SHAREPOINT_ID}"`))
  tally.attack('outbound', 'a challenge naming our own service id as client_id', () => pinned(`Bearer realm="${REALM}",client_id="${SERVICE_ID}"`))
  tally.attack('outbound', 'a challenge whose client_id carries "/host@realm" (a second audience for lenient parsers)', () =>
    pinned(`Bearer realm="${REALM}",client_id="${SHAREPOINT_ID}/sharepoint.contoso.com@${REALM}"`))
  tally.attack('outbound', 'a challenge with client_id "*"', () => pinned(`Bearer realm="${REALM}",client_id="*"`))
  tally.attack('outbound', 'a challenge repeating client_id (Exchange style), the second one another principal', () =>
    pinned([`Bearer client_id="${EXCHANGE_ID}", client_id="${SHAREPOINT_ID}", trusted_issuers="${ISSUER}"`, 'Basic realm="x"']))
  tally.attack('outbound', 'a challenge with realm "*" (never in aud)', () => pinned(`Bearer realm="*",client_id="${EXCHANGE_ID}"`))
  tally.attack('outbound', 'a challenge whose realm carries "@" (a second realm for lenient parsers)', () => pinned(`Bearer realm="evil.example@${REALM}",client_id="${EXCHANGE_ID}"`))
  tally.attack('outbound', 'a challenge whose realm carries "/" and a host', () => pinned(`Bearer realm="${REALM}/evil.example",client_id="${EXCHANGE_ID}"`))
  tally.attack('outbound', 'a challenge whose realm carries escaped quotes and commas', () => pinned(`Bearer realm="a\\",client_id=\\"${SHAREPOINT_ID}",client_id="${EXCHANGE_ID}"`))
  tally.attack('outbound', 'a challenge whose realm carries a tab and spaces', () => pinned(`Bearer realm="contoso.com\tevil example",client_id="${EXCHANGE_ID}"`))
  tally.attack('outbound', 'a challenge whose realm is 8 KiB long', () => pinned(`Bearer realm="${'r'.repeat(8192)}.com",client_id="${EXCHANGE_ID}"`))

  tally.attack('outbound', 'a challenge with a control character (an unparsable answer): 502, no retry', async () => {
    const { res } = await challenged(`Bearer realm="con\u0001toso.com",client_id="${SHAREPOINT_ID}"`, 'refused')
    expect(res.status).toBe(502)
    expect(hostile.seen.filter((s) => tokenOf(s) !== '')).toHaveLength(1)
    freshDiscovery()
    await expectOutboundServes()
  })
  tally.attack('outbound', 'a challenge header of 20 KiB (over Node\'s header limit): 502, no retry', async () => {
    const { res } = await challenged(`Bearer realm="${REALM}",client_id="${SHAREPOINT_ID}",x="${'a'.repeat(20_000)}"`, 'refused')
    expect(res.status).toBe(502)
    expect(JSON.parse(res.body)).toMatchObject({ code: 'GW_OUTBOUND_UNREACHABLE', partner: 'hostile' })
    expect(hostile.seen.filter((s) => tokenOf(s) !== '')).toHaveLength(1)
    freshDiscovery()
    await expectOutboundServes()
  })
  tally.attack('outbound', 'a token we minted for a partner, replayed to our own inbound listener: 401', async () => {
    const { retry } = await challenged(`Bearer realm="${REALM}",client_id="${SERVICE_ID}"`)
    expect(retry).toBeDefined()
    const token = tokenOf(hostile.seen.filter((s) => tokenOf(s) !== '')[1])
    stack.upstream.seen.length = 0
    const res = await fetch(`${stack.gw.url}/api/items`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(401)
    await res.arrayBuffer()
    expect(stack.upstream.seen).toEqual([])
    freshDiscovery()
    await expectOutboundServes()
  })
  tally.attack('outbound', 'a user token we minted for a partner, replayed to our own inbound listener: 401', async () => {
    const seen = await expectForwarded(() => send('/hostile/me', ['x-s2s-act-as-upn: alice@contoso.com']), () => {})
    stack.upstream.seen.length = 0
    const res = await fetch(`${stack.gw.url}/api/items`, { headers: { authorization: `Bearer ${tokenOf(seen)}` } })
    expect(res.status).toBe(401)
    await res.arrayBuffer()
    expect(stack.upstream.seen).toEqual([])
  })
  tally.attack('outbound', 'a partner answering 401 forever gets one probe and one retry, not a loop', async () => {
    freshDiscovery()
    resetSeen()
    hostile.handler = (_req, res) => json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': `Bearer realm="${REALM}",client_id="${EXCHANGE_ID}"` })
    const res = await send('/hostile/x', [], 'POST', 'replayable')
    expect(res.status).toBe(401)
    expect(hostile.seen.map((s) => [s.method, tokenOf(s) === '' ? 'probe' : 'token'])).toEqual([['POST', 'token'], ['GET', 'probe'], ['POST', 'token']])
    await expectOutboundServes()
  })
  tally.attack('outbound', 'the realm-discovery probe carries no token, no body and none of the backend\'s headers', async () => {
    freshDiscovery()
    resetSeen()
    let calls = 0
    hostile.handler = (req, res) => (isProbe(req) || calls++ === 0 ? json(res, 401, {}, { 'www-authenticate': `Bearer realm="${REALM}"` }) : json(res, 200, {}))
    await send('/hostile/x', ['Cookie: session=backend', 'X-Custom: 1'], 'POST', 'replayable')
    const probe = hostile.seen.find((s) => tokenOf(s) === '')
    expect(probe).toMatchObject({ method: 'GET', body: '' })
    expect(probe?.headers.cookie).toBeUndefined()
    expect(probe?.headers['x-custom']).toBeUndefined()
    freshDiscovery()
    await expectOutboundServes()
  })

  tally.control('outbound', 'a challenge naming another concrete realm moves the realm only (realm discovery)', async () => {
    const { retry } = await challenged(`Bearer realm="fabrikam.com",client_id="${EXCHANGE_ID}"`)
    expect(retry?.['aud']).toBe(hostileAud('fabrikam.com'))
    freshDiscovery()
  })
})

describe('a partner that redirects', () => {
  const redirectOnce = (status: number, location: () => string) => {
    let done = false
    hostile.handler = (_req, res) => {
      if (done) return json(res, 200, { landed: true })
      done = true
      res.writeHead(status, { location: location(), 'content-length': '0' }).end()
    }
  }
  for (const status of [301, 302, 303, 307, 308]) {
    tally.attack('outbound', `a ${status} to another partner's address is relayed, never followed with our token`, async () => {
      resetSeen()
      redirectOnce(status, () => `${lync.url}/steal`)
      const res = await send('/hostile/x', [], 'POST', 'data')
      expect(res.status).toBe(status)
      expect(res.headers['location']).toBe(`${lync.url}/steal`)
      expect(seenCounts()).toEqual({ ...NOBODY, hostile: 1 })
      await expectOutboundServes()
    })
  }
  for (const [title, location] of [
    ['an absolute-path redirect naming another partner (/lync/steal)', '/lync/steal'],
    ['a relative dot-dot redirect toward another partner (../lync/steal)', '../lync/steal'],
  ] as const) {
    tally.attack('outbound', `${title}, followed by the backend's HTTP client, stays with the partner that sent it`, async () => {
      resetSeen()
      redirectOnce(307, () => location)
      const res = await fetch(`${out}/hostile/start`, { method: 'POST', body: 'data', redirect: 'follow' })
      expect(res.status).toBe(200)
      await res.arrayBuffer()
      expect(hostile.seen.map((s) => s.url)).toEqual(['/start', '/lync/steal'])
      expect(seenCounts(), 'lync saw nothing').toEqual({ ...NOBODY, hostile: 2 })
      await expectOutboundServes()
    })
  }
  tally.attack('outbound', 'a network-path redirect to another partner (//<lync>/steal), followed by the backend\'s HTTP client, reaches it without our token', async () => {
    resetSeen()
    redirectOnce(307, () => `//${new URL(lync.url).host}/steal`)
    const res = await fetch(`${out}/hostile/start`, { method: 'POST', body: 'data', redirect: 'follow' })
    expect(res.status).toBe(401) // straight to lync, which wants a token and got none
    await res.arrayBuffer()
    expect([lync.accepted, lync.rejections, lync.probes]).toEqual([[], [], 1]) // the stub counts token-less requests as probes
    expect(hostile.seen.map((s) => s.url)).toEqual(['/start'])
    await expectOutboundServes()
  })
  tally.control('outbound', 'a partner\'s redirect within its own URL space stays within it through the listener', async () => {
    resetSeen()
    let done = false
    sharepoint.rejectAll = undefined
    hostile.handler = (_req, res) => {
      if (done) return json(res, 200, { landed: true })
      done = true
      res.writeHead(302, { location: `${hostile.url}/next?x=1`, 'content-length': '0' }).end()
    }
    const res = await call(out, '/hostile/start')
    expect([res.status, res.headers.location]).toEqual([302, '/hostile/next?x=1'])
    const followed = await fetch(`${out}/hostile/start`, { redirect: 'follow' })
    expect(followed.status).toBe(200)
    await followed.arrayBuffer()
  })
})

describe('slow, huge and broken partners are bounded', () => {
  tally.attack('outbound', 'a partner that never answers: 504 after outbound.timeoutMs', () =>
    expectOutRefused(() => {
      hostile.handler = () => {}
      return partnerWasTheTarget(send('/stalling/hang'))
    }, 504, { code: 'GW_OUTBOUND_TIMEOUT' }))

  tally.attack('outbound', 'a partner trickling its response headers (slow-loris) gets 504 after outbound.timeoutMs', () =>
    expectOutRefused(() => {
      hostile.handler = (_req, res) => {
        const socket = res.socket
        if (socket === null) return
        socket.write('HTTP/1.1 200 OK\r\nX-Slow: ')
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('a')), 20)
        socket.once('close', () => clearInterval(timer))
      }
      return partnerWasTheTarget(send('/stalling/trickle'))
    }, 504, { code: 'GW_OUTBOUND_TIMEOUT' }))

  tally.attack('outbound', 'response headers over 16 KiB from a partner: 502, nothing relayed', () =>
    expectOutRefused(() => {
      hostile.handler = (_req, res) => res.writeHead(200, { 'x-huge': 'a'.repeat(20_000), 'content-length': '2' }).end('ok')
      return partnerWasTheTarget(send('/hostile/x'))
    }, 502, { code: 'GW_OUTBOUND_UNREACHABLE' }))

  tally.attack('outbound', 'a partner answering garbage instead of HTTP: 502', () =>
    expectOutRefused(() => {
      hostile.handler = (_req, res) => res.socket?.end('SSH-2.0-OpenSSH_9.6\r\n\r\n')
      return partnerWasTheTarget(send('/hostile/x'))
    }, 502, { code: 'GW_OUTBOUND_UNREACHABLE' }))

  tally.attack('outbound', 'a huge response body is streamed, not buffered: the backend reads it before the partner ends it', async () => {
    resetSeen()
    const chunk = Buffer.alloc(1024 * 1024, 'x')
    let backendHasData!: () => void
    const gate = new Promise<void>((resolve) => (backendHasData = resolve))
    hostile.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      for (let i = 0; i < 16; i++) res.write(chunk)
      // Ends only once the backend got bytes: a gateway that buffered the whole answer would never relay any.
      void gate.then(() => res.end('tail'))
    }
    const total = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${out}/hostile/huge`, (res) => {
        let n = 0
        res.on('data', (c: Buffer) => ((n += c.length), backendHasData()))
        res.on('end', () => resolve(n))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
    expect(total).toBe(16 * chunk.length + 4)
    await expectOutboundServes()
  })

  tally.attack('outbound', 'a partner trickling its body forever: once the backend gives up, the partner connection is closed', async () => {
    resetSeen()
    let partnerClosed = false
    hostile.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const timer = setInterval(() => res.write('.'), 10)
      res.once('close', () => ((partnerClosed = true), clearInterval(timer)))
    }
    await new Promise<void>((resolve) => {
      const req = http.request(`${out}/hostile/trickle`, { agent: false }, (res) => res.once('data', () => (req.destroy(), resolve())))
      req.on('error', () => resolve())
      req.end()
    })
    await until(() => partnerClosed, 'the partner to see its socket closed')
    await expectOutboundServes()
  })

  tally.attack('outbound', 'a partner resetting mid-response: the backend sees a broken answer, not a hang, and the next call works', async () => {
    resetSeen()
    hostile.handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' })
      res.write('partial')
      setImmediate(() => res.socket?.destroy())
    }
    const outcome = await new Promise<string>((resolve) => {
      const req = http.request(`${out}/hostile/reset`, { agent: false }, (res) => {
        res.on('data', () => {})
        res.on('end', () => resolve('end'))
        res.on('aborted', () => resolve('aborted'))
        res.on('error', () => resolve('error'))
      })
      req.on('error', () => resolve('error'))
      req.end()
    })
    expect(['aborted', 'error']).toContain(outcome)
    await expectOutboundServes()
  })
})

describe('a body that cannot be replayed is never sent twice', () => {
  const refuseAll = () => {
    hostile.handler = (req, res) => {
      req.resume()
      json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': `Bearer realm="${REALM}",client_id="${EXCHANGE_ID}"` })
    }
  }
  const posts = () => hostile.seen.filter((s) => s.method !== 'GET')
  /** The realm-discovery probe a 401 to a streamed body starts in the background has arrived (nothing else will). */
  const probed = () => until(() => hostile.seen.some((s) => s.method === 'GET'), 'the hostile partner to receive the probe')
  tally.attack('outbound', 'a 100 KiB body (Content-Length) answered 401: sent once, the 401 goes back', async () => {
    freshDiscovery()
    resetSeen()
    refuseAll()
    const body = 'b'.repeat(100 * 1024)
    const res = await call(out, '/hostile/upload', { method: 'PUT', body, headers: { 'content-type': 'text/plain' } })
    expect(res.status).toBe(401)
    expect(posts().map((s) => [s.method, s.body.length])).toEqual([['PUT', body.length]])
    await probed()
    expect(posts()).toHaveLength(1)
    await expectOutboundServes()
    expect(posts()).toEqual([])
  })
  tally.attack('outbound', 'a chunked body growing past the replay cap answered 401: sent once', async () => {
    freshDiscovery()
    resetSeen()
    refuseAll()
    const chunk = 'c'.repeat(16 * 1024)
    const res = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${out}/hostile/upload`, { method: 'POST', agent: false }, (r) => (r.resume(), resolve(r.statusCode ?? 0)))
      req.on('error', reject)
      for (let i = 0; i < 6; i++) req.write(chunk)
      req.end()
    })
    expect(res).toBe(401)
    expect(posts().map((s) => [s.method, s.body.length])).toEqual([['POST', 6 * chunk.length]])
    await probed()
    expect(posts()).toHaveLength(1)
    await expectOutboundServes()
  })
  tally.attack('outbound', 'a body one byte over the replay cap answered 401: sent once', async () => {
    freshDiscovery()
    resetSeen()
    refuseAll()
    const body = 'd'.repeat(64 * 1024 + 1)
    const res = await call(out, '/hostile/upload', { method: 'POST', body })
    expect(res.status).toBe(401)
    await probed()
    expect(posts()).toHaveLength(1)
    await expectOutboundServes()
  })
})

describe('tokens stay with the partner and user they were minted for', () => {
  tally.attack('outbound', 'a cached user token is never served for another user whose claims differ in one field', async () => {
    resetSeen()
    const alice = { 'x-s2s-act-as-upn': 'alice@contoso.com', 'x-s2s-act-as-smtp': 'alice@contoso.com' }
    const results = [
      await call(out, '/hostile/a', { headers: alice }),
      await call(out, '/hostile/b', { headers: { ...alice, 'x-s2s-act-as-smtp': 'administrator@contoso.com' } }),
      await call(out, '/hostile/c', { headers: { 'x-s2s-act-as-upn': 'alice@contoso.com' } }),
      await call(out, '/hostile/d', { headers: alice }),
    ]
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200])
    const users = hostile.seen.map((s) => {
      const { actortoken: _a, aud: _b, iss: _c, nbf: _d, exp: _e, ...user } = segment(tokenOf(s), 1)
      return user
    })
    expect(users).toEqual([
      { upn: 'alice@contoso.com', smtp: 'alice@contoso.com' },
      { upn: 'alice@contoso.com', smtp: 'administrator@contoso.com' },
      { upn: 'alice@contoso.com' },
      { upn: 'alice@contoso.com', smtp: 'alice@contoso.com' },
    ])
    expect(tokenOf(hostile.seen[3])).toBe(tokenOf(hostile.seen[0])) // the same user's token, from the cache
    await expectOutboundServes()
  })

  tally.attack('outbound', 'calls to two partners in turn: each receives only a token for its own audience', async () => {
    resetSeen()
    const a = await call(out, '/hostile/x')
    const b = await call(out, '/lync/x')
    const c = await call(out, '/hostile/y', { headers: { 'x-s2s-act-as-upn': 'alice@contoso.com' } })
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200])
    expect(segment(String(lync.accepted[0]?.headers.authorization).slice(7), 1)['aud']).toBe(`${LYNC_ID}/${new URL(lync.url).host}@${REALM}`)
    const [first, second] = hostile.seen
    expectOurTokenOnly(first)
    expect(segment(tokenOf(second), 1)['aud']).toBe(hostileAud())
    expect(tokenOf(first)).not.toBe(String(lync.accepted[0]?.headers.authorization).slice(7))
    await expectOutboundServes()
  })
})
