// Integration: what a reload does to open WebSockets. Each open (or opening) channel is judged again as a new
// handshake with the same token would be judged by the new configuration, and closed when that handshake would be
// refused: each case first shows the new handshake's refusal, then waits for the channel to close. A channel the
// new configuration still admits under the same partner and permission stays open, however the rules around it
// changed; one whose partner's keys are not loaded yet is kept until they are, then judged.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { metadataPartner, startTestGateway } from '../helpers/gateway.js'
import { startMetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'
import { bearer, closed, connect, echo, onCleanup, runCleanups, startWsBackend, within, world } from './websockets-fixture.js'

afterEach(runCleanups)

const notify = { name: 'notify', paths: ['/api/notifications'], right: 'write' }

describe('a reload closes the open WebSockets a new handshake would be refused', () => {
  it('a user-context channel, when its partner is lowered to application trust', async () => {
    const w = await world()
    const token = w.exchange.userToken({ upn: 'alice@contoso.com' })
    const opened = await connect(w.gw, bearer(token))
    expect(opened.status).toBe(101)
    w.gw.reload({ partners: [metadataPartner('exchange', w.meta.url, { trustLevel: 'application' })] })
    expect((await connect(w.gw, bearer(token))).status).toBe(403)
    await within('the close after the trust level was lowered', closed(opened.ws))
  })

  it('when its partner name is pinned to another application id', async () => {
    const w = await world()
    const token = w.exchange.actorToken()
    const opened = await connect(w.gw, bearer(token))
    expect(opened.status).toBe(101)
    w.gw.reload({ partners: [metadataPartner('exchange', w.meta.url, { applicationId: '99999999-0000-0000-0000-000000000000' })] })
    expect((await connect(w.gw, bearer(token))).status).toBe(401)
    await within('the close after the re-pinning', closed(opened.ws))
  })

  it('one let through by shadow mode, when access.mode becomes enforce', async () => {
    const deny = [{ name: 'no-notify', paths: ['/api/notifications'] }]
    const w = await world({ config: { access: { mode: 'shadow', deny } } })
    const token = w.exchange.actorToken()
    const opened = await connect(w.gw, bearer(token))
    expect(opened.status).toBe(101)
    w.gw.reload({ partners: [metadataPartner('exchange', w.meta.url)], access: { mode: 'enforce', deny } })
    expect((await connect(w.gw, bearer(token))).status).toBe(403)
    await within('the close after enforce', closed(opened.ws))
  })

  it('when the certificate that verified its token is replaced', async () => {
    const backend = await startWsBackend()
    const hr = await makeTestPartner({ id: '11111111-2222-3333-4444-555555555555' })
    const upstream = { url: backend.url, timeoutMs: 5000 }
    const gw = await startTestGateway(backend.url, { partners: [], upstream })
    onCleanup(() => gw.close())
    const certFile = join(gw.dir, 'hr.pem')
    writeFileSync(certFile, hr.cert.certPem)
    const entry = { name: 'hr', applicationId: hr.id, realm: hr.realm, certificates: [certFile], trustLevel: 'application' }
    gw.reload({ partners: [entry], upstream })
    const token = hr.actorToken()
    const opened = await connect(gw, bearer(token))
    expect(opened.status).toBe(101)
    await hr.rotate()
    writeFileSync(certFile, hr.cert.certPem) // the old certificate is no longer trusted
    gw.reload({ partners: [entry], upstream })
    expect((await connect(gw, bearer(token))).status).toBe(401)
    await within('the close after the certificate was replaced', closed(opened.ws))
  })

  it('when upstream.websockets is turned off', async () => {
    const w = await world()
    const token = w.exchange.actorToken()
    const opened = await connect(w.gw, bearer(token))
    expect(opened.status).toBe(101)
    w.gw.reload({ partners: [metadataPartner('exchange', w.meta.url)], upstream: { url: w.backend.url, timeoutMs: 5000, websockets: false } })
    expect((await connect(w.gw, bearer(token))).status).toBe(501)
    await within('the close after websockets: false', closed(opened.ws))
  })

  it('one whose backend handshake was still in progress when its partner was removed', async () => {
    const w = await world()
    w.backend.hold = true
    const pending = connect(w.gw, bearer(w.exchange.actorToken()))
    await until(() => w.backend.held === 1, 'the admitted handshake to reach the backend')
    w.gw.reload({ partners: [] })
    w.backend.release()
    const opened = await pending
    expect(opened.status).toBe(101) // the backend switched protocols; the gateway then closes the channel
    await within('the close of the channel opened after the reload', closed(opened.ws))
  })
})

describe('a reload keeps the open WebSockets a new handshake would admit', () => {
  it('the same partner and permission, with the rules around them changed', async () => {
    const w = await world({ partner: { permissions: [notify] } })
    const token = w.exchange.actorToken()
    const opened = await connect(w.gw, bearer(token))
    expect(opened.status).toBe(101)
    // The admitting permission gains a path and access.deny an entry elsewhere: the handshake is still allowed.
    w.gw.reload({
      partners: [metadataPartner('exchange', w.meta.url, { permissions: [{ ...notify, paths: ['/api/notifications', '/api/feed'] }] })],
      access: { deny: [{ name: 'no-admin', paths: ['/admin/**'] }] },
    })
    expect((await connect(w.gw, bearer(token))).status).toBe(101)
    expect(await echo(opened.ws, 'still here')).toBe('still here')
  })

  it('while its partner keys load after the reload, then judged by them', async () => {
    const w = await world({ config: { metadata: { firstRetryMs: 100, refetchCooldownSec: 1 } } })
    const token = w.exchange.actorToken()
    const opened = await connect(w.gw, bearer(token))
    expect(opened.status).toBe(101)
    // A new metadata source, down for now: the partner has no keys, so its tokens can be judged by none.
    const moved = await startMetadataServer(w.exchange)
    onCleanup(() => moved.close())
    moved.down = true
    w.gw.reload({ partners: [metadataPartner('exchange', moved.url)], metadata: { firstRetryMs: 100, refetchCooldownSec: 1 } })
    expect((await connect(w.gw, bearer(token))).status).toBe(503)
    expect(await echo(opened.ws, 'kept while undecided')).toBe('kept while undecided')
    // The keys that load no longer include the one that signed the token: judged, and closed.
    await w.exchange.rotate()
    await w.exchange.rotate()
    moved.down = false
    await within('the close once the keys loaded', closed(opened.ws))
    expect((await connect(w.gw, bearer(token))).status).toBe(401)
  })
})
