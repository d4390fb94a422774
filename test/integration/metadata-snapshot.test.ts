// Integration: last-known-good metadata snapshots on disk (issue 14 §2, metadata.cacheDir). A gateway restarted
// while a partner's metadata server is down keeps serving that partner from the snapshot an earlier run wrote;
// a corrupt, tampered, outdated or foreign snapshot is refused; a removed partner's snapshot is deleted. A
// snapshot another user could have written (a planted file with the pinned issuer and the attacker's key) is
// refused before it is parsed, and a cacheDir others can write is a configuration problem.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../src/certs/create.js'
import { ConfigError } from '../../src/config/index.js'
import { snapshotFileName } from '../../src/partners/snapshot.js'
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.js'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway } from '../helpers/gateway.js'
import { exchangeDocument, startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { EXCHANGE_ID, makeTestPartner, REALM, type TestPartner } from '../helpers/tokens.js'
import { until } from '../helpers/until.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface World {
  upstream: EchoUpstream
  partner: TestPartner
  meta: MetadataServer
  cacheDir: string
  file: string
  start(extra?: { partner?: RawConfig; config?: RawConfig }): Promise<TestGateway>
}

async function world(): Promise<World> {
  const upstream = await startEchoUpstream()
  const partner = await makeTestPartner()
  const meta = await startMetadataServer(partner)
  // A directory that does not exist yet: the gateway creates it, 0700.
  const cacheDir = join(mkdtempSync(join(tmpdir(), 's2s-snapshot-')), 'metadata')
  cleanups.push(() => upstream.close(), () => meta.close())
  return {
    upstream, partner, meta, cacheDir,
    file: join(cacheDir, snapshotFileName('partner', 'exchange')),
    async start(extra = {}) {
      const gw = await startTestGateway(upstream.url, {
        partners: [metadataPartner('exchange', meta.url, extra.partner ?? {})],
        metadata: { timeoutMs: 2000, cacheDir },
        ...extra.config,
      })
      cleanups.push(() => gw.close())
      return gw
    },
  }
}

/**
 * What a local attacker plants: a well-formed snapshot of the configured URL with the pinned issuer, fresh, but
 * with the attacker's certificate; and a user token for the CEO whose actor token the attacker's key signed.
 */
async function plantedSnapshot(w: World): Promise<{ body: string; evil: CreatedCertificate; token: string }> {
  const evil = await createSelfSignedCertificate({ subject: 'CN=evil' })
  const document = exchangeDocument({ ...w.partner, cert: evil, previous: [] }, w.meta.url)
  const body = JSON.stringify({ format: 1, kind: 'partner', name: 'exchange', url: w.meta.url, fetchedAt: new Date().toISOString(), document })
  const parts = w.partner.userToken({ upn: 'ceo@contoso.com' }).split('.')
  const outer = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString()) as Record<string, unknown>
  outer['actortoken'] = w.partner.actorToken({}, { x5t: evil.x5t }, evil.privateKey)
  return { body, evil, token: `${parts[0]}.${Buffer.from(JSON.stringify(outer)).toString('base64url')}.` }
}

const call = (gw: TestGateway, token: string): Promise<Response> =>
  fetch(`${gw.url}/api`, { headers: { authorization: `Bearer ${token}` } })

/** A first run that fetches the document and leaves its snapshot behind, then stops. */
async function runOnce(w: World, extra?: { partner?: RawConfig }): Promise<void> {
  const gw = await w.start(extra)
  expect((await call(gw, w.partner.actorToken())).status).toBe(200)
  await until(() => existsSync(w.file), 'the snapshot file')
  await gw.close()
}

async function readyPartner(gw: TestGateway): Promise<Record<string, unknown> | undefined> {
  const ready = (await (await fetch(`${gw.adminUrl}/readyz`)).json()) as { partners: Array<Record<string, unknown>> }
  return ready.partners.find((p) => p['name'] === 'exchange')
}

describe('metadata snapshots on disk', () => {
  it('a successful fetch writes the document atomically, file 0600 in a 0700 directory', async () => {
    const w = await world()
    await runOnce(w)
    expect(statSync(w.cacheDir).mode & 0o777).toBe(0o700)
    expect(statSync(w.file).mode & 0o777).toBe(0o600)
    // owned by the gateway's own user, like the directory it created
    expect([statSync(w.file).uid, statSync(w.cacheDir).uid]).toEqual([process.getuid?.(), process.getuid?.()])
    const saved = JSON.parse(readFileSync(w.file, 'utf8')) as Record<string, unknown>
    expect(saved).toMatchObject({ kind: 'partner', name: 'exchange', url: w.meta.url })
    expect((saved['document'] as { serviceName: string }).serviceName).toBe(EXCHANGE_ID)
    // no temporary file is left behind
    expect(readdirSync(w.cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('a restart while the metadata server is down serves the partner from its snapshot', async () => {
    const w = await world()
    await runOnce(w)
    w.meta.down = true
    const gw = await w.start()
    const res = await call(gw, w.partner.actorToken())
    expect(res.status).toBe(200)
    const ready = await readyPartner(gw)
    expect(ready).toMatchObject({ state: 'snapshot', health: 'stale' })
    expect(String(ready?.['source'])).toMatch(/^from snapshot, age \d+ s$/)
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text()
    expect(metrics).toContain('s2s_gateway_partner_state{partner="exchange",state="snapshot"} 1')
    const status = (await (await fetch(`${gw.adminUrl}/status.json`)).json()) as { partners: Array<{ source: string | null }> }
    expect(status.partners[0]?.source).toMatch(/^from snapshot, age/)
    expect(gw.logs().some((l) => l['msg'] === 'metadata fetch failed; serving keys from the snapshot on disk')).toBe(true)

    // A successful fetch replaces the snapshot's keys, and the state says so.
    w.meta.down = false
    await gw.running.gateway.holder.current.registry.all()[0]?.refreshNow()
    expect((await readyPartner(gw))?.['state']).toBe('ok')
  })

  it('without metadata.cacheDir the same restart answers 503 (the snapshot is what serves)', async () => {
    const w = await world()
    await runOnce(w, { partner: { applicationId: EXCHANGE_ID, realm: REALM } })
    w.meta.down = true
    const gw = await w.start({ partner: { applicationId: EXCHANGE_ID, realm: REALM }, config: { metadata: { timeoutMs: 2000 } } })
    expect((await call(gw, w.partner.actorToken())).status).toBe(503)
  })

  it('a corrupt snapshot is refused and logged; the partner stays without keys', async () => {
    const w = await world()
    await runOnce(w)
    writeFileSync(w.file, '{"format":1,"kind":"partner","name":"exch')
    w.meta.down = true
    const gw = await w.start({ partner: { applicationId: EXCHANGE_ID, realm: REALM } })
    expect((await call(gw, w.partner.actorToken())).status).toBe(503)
    expect(gw.logs().some((l) => l['msg'] === 'metadata snapshot refused: not a snapshot file of this entry')).toBe(true)
  })

  it('a tampered snapshot naming another realm fails the issuer pin and is refused', async () => {
    const w = await world()
    await runOnce(w)
    const saved = JSON.parse(readFileSync(w.file, 'utf8')) as { document: Record<string, unknown> }
    saved.document['realm'] = 'fabrikam.com'
    saved.document['issuer'] = `${EXCHANGE_ID}@fabrikam.com`
    writeFileSync(w.file, JSON.stringify(saved))
    w.meta.down = true
    const gw = await w.start({ partner: { applicationId: EXCHANGE_ID, realm: REALM } })
    expect((await call(gw, w.partner.actorToken())).status).toBe(503)
    expect(gw.logs().find((l) => l['msg'] === 'metadata snapshot refused')).toMatchObject({ partner: 'exchange', reason: 'pinned_mismatch' })
  })

  it('a snapshot from another URL, or older than maxStaleSec, is ignored', async () => {
    const w = await world()
    await runOnce(w)
    const saved = JSON.parse(readFileSync(w.file, 'utf8')) as Record<string, unknown>
    writeFileSync(w.file, JSON.stringify({ ...saved, url: `${w.meta.url}?moved` }))
    w.meta.down = true
    const pinned = { partner: { applicationId: EXCHANGE_ID, realm: REALM } }
    const moved = await w.start(pinned)
    expect((await call(moved, w.partner.actorToken())).status).toBe(503)
    expect(moved.logs().find((l) => l['msg'] === 'metadata snapshot ignored')).toMatchObject({ why: 'fetched from another URL' })
    await moved.close()

    writeFileSync(w.file, JSON.stringify({ ...saved, fetchedAt: new Date(Date.now() - 8 * 86_400_000).toISOString() }))
    const old = await w.start(pinned)
    expect((await call(old, w.partner.actorToken())).status).toBe(503)
    expect(old.logs().find((l) => l['msg'] === 'metadata snapshot ignored')).toMatchObject({ why: 'older than metadata.maxStaleSec' })
  })

  it('a reload that removes the partner deletes its snapshot', async () => {
    const w = await world()
    const gw = await w.start()
    expect((await call(gw, w.partner.actorToken())).status).toBe(200)
    await until(() => existsSync(w.file), 'the snapshot file')
    gw.reload({ partners: [], metadata: { timeoutMs: 2000, cacheDir: w.cacheDir } })
    await until(() => !existsSync(w.file), 'the snapshot to be deleted')
  })

  // The operator-side probe: a world-writable cacheDir (a shared directory under /tmp, say), a planted snapshot,
  // the partner's metadata host down at start. The gateway used to serve the attacker's key with full trust.
  it('a world-writable cacheDir holding a planted snapshot is a configuration problem: no gateway serves from it', async () => {
    const w = await world()
    mkdirSync(w.cacheDir)
    chmodSync(w.cacheDir, 0o777)
    const planted = await plantedSnapshot(w)
    writeFileSync(w.file, planted.body)
    w.meta.down = true
    const started = w.start({ partner: { applicationId: EXCHANGE_ID, realm: REALM, trustLevel: 'full' } })
    await expect(started).rejects.toBeInstanceOf(ConfigError)
    await expect(started).rejects.toThrow(`metadata.cacheDir: ${w.cacheDir} is writable by group and others (mode 0777): another user could plant keys there`)
    // and the gateway did not "fix" a directory that is not its own to change
    expect(statSync(w.cacheDir).mode & 0o7777).toBe(0o777)
  })

  /** A planted snapshot in the gateway's own 0700 directory, the file spoiled by `spoil`: it must be refused. */
  async function refusedPlant(spoil: (file: string) => void, why: RegExp): Promise<void> {
    const w = await world()
    await runOnce(w) // the gateway's own 0700 directory, so only the file is wrong
    const planted = await plantedSnapshot(w)
    writeFileSync(w.file, planted.body)
    spoil(w.file)
    w.meta.down = true
    const gw = await w.start({ partner: { applicationId: EXCHANGE_ID, realm: REALM, trustLevel: 'full' } })
    expect((await call(gw, planted.token)).status).toBe(503)
    expect((await call(gw, w.partner.actorToken())).status).toBe(503)
    const refused = gw.logs().find((l) => l['msg'] === 'metadata snapshot refused: another user could have written it')
    expect(refused).toMatchObject({ kind: 'partner', name: 'exchange' })
    expect(String(refused?.['why'])).toMatch(why)
    expect(gw.logText()).not.toContain(planted.evil.x5t)
    expect(gw.logs().some((l) => l['msg'] === 'metadata fetch failed; serving keys from the snapshot on disk')).toBe(false)
  }

  it('a planted snapshot file others can write is refused and logged without its content: the forged token gets 503', async () => {
    await refusedPlant((file) => chmodSync(file, 0o666), /^the file .* is writable by group and others \(mode 0666\)$/)
  })

  it.skipIf(process.getuid?.() !== 0)('a planted snapshot file owned by another user is refused the same way (needs root to chown)', async () => {
    await refusedPlant((file) => chownSync(file, 65534, 65534), /^the file .* is owned by uid 65534, not by root$/)
  })
})
