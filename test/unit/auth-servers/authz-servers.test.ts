// Unit: the authorization-server set of issue 7 with an injected fetcher: identity and issuance endpoint from the
// accepted document only, the issuer-id index, and the hand-over of keys and endpoint across a reload.
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createAuthorizationServers } from '../../../src/auth-servers/index.js'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../../src/certs/create.js'
import type { AuthorizationServerConfig, GatewayConfig } from '../../../src/schema/types.js'
import { silentLogger } from '../../../src/log/logger.js'
import { createSnapshotStore, snapshotFileName } from '../../../src/partners/snapshot.js'
import { until } from '../../helpers/until.js'

const ACS = '00000001-0000-0000-c000-000000000000'
const METADATA: GatewayConfig['metadata'] = { refreshIntervalSec: 3600, refreshJitterPercent: 10, firstRetryMs: 30_000, refetchCooldownSec: 60, maxStaleSec: 604_800, timeoutMs: 1000, maxBytes: 1_048_576 }
const T0 = 1_795_348_800_000

let cert: CreatedCertificate
beforeAll(async () => {
  cert = await createSelfSignedCertificate({ subject: 'CN=acs' })
})

const doc = (issuer: string, issuance?: string, signing: CreatedCertificate = cert) => ({
  issuer,
  keys: [{ usage: 'signing', keyValue: { type: 'x509Certificate', value: signing.der.toString('base64') } }],
  endpoints: issuance === undefined ? [] : [{ location: issuance, protocol: 'OAuth2', usage: 'issuance' }, { location: 'https://x/metadata', protocol: 'OAuth2', usage: 'metadata' }],
})
const entry = (name: string, metadataUrl: string): AuthorizationServerConfig => ({ name, metadataUrl, allowHttp: false, tls: { insecureSkipVerify: false } })

function world() {
  const clock = { ms: T0 }
  const docs = new Map<string, unknown>()
  const fetched: string[] = []
  const deps = { metadata: METADATA, now: () => clock.ms, fetchDocument: async (url: string) => (fetched.push(url), docs.get(url)) }
  return { clock, docs, fetched, deps }
}

describe('createAuthorizationServers', () => {
  it('knows issuer and issuance endpoint once the document is accepted, and indexes servers by issuer id', async () => {
    const { docs, deps } = world()
    docs.set('https://a/1', doc(`${ACS}@contoso.com`, 'https://a/contoso.com/tokens/OAuth/2'))
    docs.set('https://a/2', doc(`${ACS}@*`, 'https://a/tokens/OAuth/2'))
    const servers = createAuthorizationServers([entry('tenant', 'https://a/1'), entry('global', 'https://a/2')], deps)
    expect(servers.hasUnidentified()).toBe(true)
    expect(servers.byIssuerId(ACS)).toBeUndefined()
    expect(servers.get('tenant')?.issuanceEndpoint()).toBeUndefined()
    await servers.loadAll()
    expect(servers.hasUnidentified()).toBe(false)
    expect(servers.byIssuerId(ACS)?.map((s) => s.name)).toEqual(['tenant', 'global'])
    expect(servers.get('tenant')?.issuer()).toBe(`${ACS}@contoso.com`)
    expect(servers.get('global')?.issuer()).toBe(`${ACS}@*`)
    expect(servers.get('tenant')?.issuanceEndpoint()).toBe('https://a/contoso.com/tokens/OAuth/2')
  })

  it('ignores the endpoint of a later document that names another issuer (refused), and follows an accepted one', async () => {
    const { docs, deps } = world()
    docs.set('https://a/1', doc(`${ACS}@contoso.com`, 'https://a/one'))
    const servers = createAuthorizationServers([entry('acs', 'https://a/1')], deps)
    await servers.loadAll()
    const server = servers.get('acs')
    docs.set('https://a/1', doc(`${ACS}@fabrikam.com`, 'https://evil/tokens'))
    await server?.metadata.refreshNow()
    expect(server?.issuer()).toBe(`${ACS}@contoso.com`)
    expect(server?.issuanceEndpoint()).toBe('https://a/one')
    docs.set('https://a/1', doc(`${ACS}@contoso.com`))
    await server?.metadata.refreshNow()
    expect(server?.issuanceEndpoint()).toBeUndefined()
  })

  it('hands keys and endpoint to its successor when the source is unchanged, and refetches when it changed', async () => {
    const { docs, deps, fetched } = world()
    docs.set('https://a/1', doc(`${ACS}@contoso.com`, 'https://a/one'))
    docs.set('https://a/2', doc(`${ACS}@contoso.com`, 'https://a/two'))
    const first = createAuthorizationServers([entry('acs', 'https://a/1'), entry('moved', 'https://a/1')], deps)
    await first.loadAll()
    const before = fetched.length
    const next = createAuthorizationServers([entry('acs', 'https://a/1'), entry('moved', 'https://a/2')], { ...deps, previous: first })
    first.close()
    expect(next.get('acs')?.metadata.keys()?.all.map((k) => k.x5t)).toEqual([cert.x5t])
    expect(next.get('acs')?.issuanceEndpoint()).toBe('https://a/one')
    expect(next.get('moved')?.issuanceEndpoint()).toBeUndefined()
    await next.loadAll()
    expect(fetched.slice(before)).toEqual(['https://a/2'])
    expect(next.get('moved')?.issuanceEndpoint()).toBe('https://a/two')
    next.close()
  })

  it('hands over a refetch in flight: the successor takes over the key and endpoint it brings, and its cooldown', async () => {
    const { docs, deps, fetched } = world()
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    let hold = false
    const fetchDocument = async (url: string) => {
      fetched.push(url)
      if (hold) await held
      return docs.get(url)
    }
    docs.set('https://a/1', doc(`${ACS}@contoso.com`, 'https://a/one'))
    const first = createAuthorizationServers([entry('acs', 'https://a/1')], { ...deps, fetchDocument })
    await first.loadAll()
    const rotated = await createSelfSignedCertificate({ subject: 'CN=acs-next' })
    docs.set('https://a/1', doc(`${ACS}@contoso.com`, 'https://a/next', rotated))
    hold = true
    const inOldRuntime = first.get('acs')?.metadata.refetchOnMiss() // a token signed with the new key, before the reload
    const next = createAuthorizationServers([entry('acs', 'https://a/1')], { ...deps, fetchDocument, previous: first })
    first.close()
    const inNewRuntime = next.get('acs')?.metadata.refetchOnMiss() // the next such token, after it
    release()
    expect(await inOldRuntime).toBe(true)
    expect(await inNewRuntime).toBe(true)
    expect(next.get('acs')?.metadata.keys()?.all.map((k) => k.x5t)).toEqual([rotated.x5t])
    expect(next.get('acs')?.issuanceEndpoint()).toBe('https://a/next')
    expect(fetched).toHaveLength(2) // the one refetch, shared across the reload
    expect(await next.get('acs')?.metadata.refetchOnMiss()).toBe(false) // its cooldown was spent, and carries over
    next.close()
  })
})

describe('authorization servers and metadata.cacheDir (issue 14 §2)', () => {
  it('a server whose first fetch fails is restored from its snapshot, issuance endpoint included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's2s-as-snap-'))
    const store = createSnapshotStore(dir, silentLogger)
    const first = world()
    first.docs.set('https://a/1', doc(`${ACS}@contoso.com`, 'https://a/contoso.com/tokens/OAuth/2'))
    const before = createAuthorizationServers([entry('acs', 'https://a/1')], { ...first.deps, snapshots: store })
    await before.loadAll()
    await until(() => existsSync(join(dir, snapshotFileName('authorization-server', 'acs'))), 'the snapshot file')
    before.close()

    const restarted = world() // its fetcher knows no document: every fetch fails
    restarted.clock.ms = T0 + 60_000
    const after = createAuthorizationServers([entry('acs', 'https://a/1')], { ...restarted.deps, snapshots: store })
    await after.loadAll()
    const server = after.get('acs')
    expect(server?.metadata.state()).toBe('snapshot')
    expect(server?.issuer()).toBe(`${ACS}@contoso.com`)
    expect(server?.issuanceEndpoint()).toBe('https://a/contoso.com/tokens/OAuth/2')
    // a partner of the same name has its own file, so it finds nothing
    expect(existsSync(join(dir, snapshotFileName('partner', 'acs')))).toBe(false)
    after.close()
  })
})
