// Unit: the 401 challenge with authorization servers (issue 7, docs/PROTOCOL.md §5.1, §5.4): their issuers join
// trusted_issuers, partners reached through them do not, authorization_uri follows, and the text is only cached
// once every server is identified; likewise once every partner's identity is whole (its realm included).
import { describe, expect, it } from 'vitest'
import type { AuthorizationServer, AuthorizationServers } from '../../../src/auth-servers/index.js'
import type { AuthorizationServerConfig, GatewayConfig, PartnerConfig } from '../../../src/schema/types.js'
import type { Partner, PartnerIdentity, PartnerRegistry } from '../../../src/partners/types.js'
import { createPartnerRegistry } from '../../../src/partners/registry.js'
import { createChallenge } from '../../../src/tokens/challenge.js'
import { exchangeShape, testCertificates } from '../../helpers/metadata-docs.js'
import { METADATA, fakeClock, fakeFetch, partnerConfig } from '../../helpers/metadata-fakes.js'

const ACS = '00000001-0000-0000-c000-000000000000'
const US = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'

const partner = (name: string, identity: PartnerIdentity, authorizationServer?: string): Partner =>
  ({ name, identity: () => identity, config: { name, ...(authorizationServer === undefined ? {} : { authorizationServer }) } as PartnerConfig }) as unknown as Partner
const registry = (partners: Partner[]): PartnerRegistry => ({ all: () => partners, hasUnknownIdentities: () => false }) as unknown as PartnerRegistry

function servers(entries: Array<{ name: string; issuer: string | undefined }>): AuthorizationServers {
  const list = entries.map((e) => ({ name: e.name, issuer: () => e.issuer }) as unknown as AuthorizationServer)
  return { all: () => list, hasUnidentified: () => entries.some((e) => e.issuer === undefined) } as unknown as AuthorizationServers
}

function config(authorizationServers: Array<Partial<AuthorizationServerConfig>>, listTrustedIssuers = true): GatewayConfig {
  return { service: { id: US, realm: 'contoso.com' }, challenge: { listTrustedIssuers }, authorizationServers } as unknown as GatewayConfig
}

const partners = registry([
  partner('exchange', { id: '00000002-0000-0ff1-ce00-000000000000', realm: 'contoso.com' }),
  partner('exchange-online', { id: '00000002-0000-0ff1-ce00-000000000000', realm: '*' }, 'acs'),
])

describe('createChallenge with authorization servers', () => {
  it('lists self-issuing partners, then the servers, never a partner reached through a server; then authorization_uri', () => {
    const challenge = createChallenge(config([{ name: 'acs' }, { name: 'b', authorizationUri: 'https://login.example.net/common/oauth2/authorize' }]), partners, servers([{ name: 'acs', issuer: `${ACS}@contoso.com` }, { name: 'b', issuer: `${ACS}@*` }]))
    expect(challenge.invalid()).toBe(
      `Bearer realm="contoso.com",client_id="${US}",trusted_issuers="00000002-0000-0ff1-ce00-000000000000@contoso.com,${ACS}@contoso.com,${ACS}@*",authorization_uri="https://login.example.net/common/oauth2/authorize",error="invalid_token"`,
    )
  })

  it('keeps authorization_uri when the issuer list is hidden', () => {
    const challenge = createChallenge(config([{ name: 'acs', authorizationUri: 'https://login.example.net/x' }], false), partners, servers([{ name: 'acs', issuer: `${ACS}@contoso.com` }]))
    expect(challenge.missing()).toBe(`Bearer realm="contoso.com",client_id="${US}",trusted_issuers="",authorization_uri="https://login.example.net/x"`)
  })

  it('adds a server once its issuer is known (not cached before)', () => {
    const entries: Array<{ name: string; issuer: string | undefined }> = [{ name: 'acs', issuer: undefined }]
    const challenge = createChallenge(config([{ name: 'acs' }]), partners, servers(entries))
    expect(challenge.missing()).not.toContain(ACS)
    const [acs] = entries
    if (acs !== undefined) acs.issuer = `${ACS}@contoso.com`
    expect(challenge.missing()).toContain(`,${ACS}@contoso.com"`)
  })

  it('is unchanged without servers', () => {
    expect(createChallenge(config([]), partners).missing()).toBe(`Bearer realm="contoso.com",client_id="${US}",trusted_issuers="00000002-0000-0ff1-ce00-000000000000@contoso.com"`)
  })
})

describe('createChallenge and a partner pinned by applicationId alone', () => {
  it('lists it as soon as its document names its realm, though a 401 was answered before', async () => {
    const EXCHANGE = '00000002-0000-0ff1-ce00-000000000000'
    const [cert] = await testCertificates(1)
    const fetch = fakeFetch(new Error('down'))
    const live = createPartnerRegistry([partnerConfig({ applicationId: EXCHANGE })], { metadata: METADATA, now: fakeClock().now, fetchDocument: fetch })
    try {
      const challenge = createChallenge(config([]), live)
      await live.loadAll()
      expect(challenge.missing()).toContain('trusted_issuers=""') // its realm is unknown while its metadata is down
      fetch.answer = exchangeShape({ id: EXCHANGE, realm: 'contoso.com', certs: cert === undefined ? [] : [cert] })
      await live.all()[0]?.refreshNow()
      expect(challenge.missing()).toContain(`trusted_issuers="${EXCHANGE}@contoso.com"`)
    } finally {
      live.close()
    }
  })
})
