// Test world for tokens/: real test partners (certificates generated at test time), a fixed clock and a
// validator wired to fakes. Tokens get explicit nbf/exp from the fixed clock, so nothing depends on real time.
import { parseSigningCertificate } from '../../../src/certs/x509.js'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../../src/certs/create.js'
import type { GatewayConfig } from '../../../src/schema/types.js'
import type { SigningKey } from '../../../src/certs/x509.js'
import { createTokenValidator, type TokenValidator, type TokenValidatorDeps } from '../../../src/tokens/index.js'
import { makeTestPartner, PUBLIC_HOST, REALM, SERVICE_ID, type TestPartner } from '../../helpers/tokens.js'
import { fakePartner, fakeRegistry, type FakePartner, type FakeRegistry } from './fakes.js'

/** A fixed "now": 2026-11-22T12:00:00Z, in seconds. */
export const NOW = 1_795_348_800
export const SKEW = 300
export const MAX_LIFETIME = 90_000
export const SIP_REALM = 'sip.contoso.com'
export const LYNC_ID = '00000004-0000-0ff1-ce00-000000000000'

export const service: GatewayConfig['service'] = {
  id: SERVICE_ID,
  name: 'Legacy HR API',
  realm: REALM,
  realmAliases: [SIP_REALM],
  publicHosts: [PUBLIC_HOST, 'gw.contoso.com:8443', 'xn--bcher-kva.example'],
  metadataUrl: `https://${PUBLIC_HOST}/metadata/json/1`,
}

export const tokens: GatewayConfig['tokens'] = {
  clockSkewSec: SKEW,
  maxLifetimeSec: MAX_LIFETIME,
  maxTokenBytes: 8192,
  cacheMaxEntries: 1000,
}

export interface World {
  /** Registered, full trust: Exchange. */
  exchange: TestPartner
  /** Registered, application trust. */
  lync: TestPartner
  /** Never registered: a certificate nobody trusts. */
  rogue: CreatedCertificate
  /** The gateway's own issuer certificate: never trusted for inbound tokens. */
  gateway: CreatedCertificate
  keyOf(cert: CreatedCertificate): SigningKey
}

export async function makeWorld(): Promise<World> {
  const [exchange, lync, rogue, gateway] = await Promise.all([
    makeTestPartner(),
    makeTestPartner({ id: LYNC_ID }),
    createSelfSignedCertificate({ subject: 'CN=rogue' }),
    createSelfSignedCertificate({ subject: 'CN=s2s-gateway' }),
  ])
  return { exchange, lync, rogue, gateway, keyOf: (cert) => parseSigningCertificate(cert.certPem) }
}

export interface Harness {
  validator: TokenValidator
  registry: FakeRegistry
  exchange: FakePartner
  lync: FakePartner
  clock: { nowMs: number }
}

export function makeHarness(
  world: World,
  opts: { exchange?: Partial<Parameters<typeof fakePartner>[0]>; tokens?: Partial<GatewayConfig['tokens']> } & Partial<
    Pick<TokenValidatorDeps, 'events' | 'logger'>
  > = {},
): Harness {
  const exchange = fakePartner({
    name: 'exchange',
    id: world.exchange.id,
    realm: world.exchange.realm,
    keys: [world.keyOf(world.exchange.cert)],
    ...opts.exchange,
  })
  const lync = fakePartner({ name: 'lync', id: LYNC_ID, realm: REALM, keys: [world.keyOf(world.lync.cert)], trustLevel: 'application' })
  const registry = fakeRegistry([exchange, lync])
  const clock = { nowMs: NOW * 1000 }
  const deps: TokenValidatorDeps = { service, tokens: { ...tokens, ...opts.tokens }, registry, now: () => clock.nowMs }
  if (opts.events !== undefined) deps.events = opts.events
  if (opts.logger !== undefined) deps.logger = opts.logger
  return { validator: createTokenValidator(deps), registry, exchange, lync, clock }
}

/** Default validity around NOW: valid, 1 h 5 min span. */
export const times = { nbf: NOW - 300, exp: NOW + 3600 }

/** An app-only actor token from `p`, valid at NOW unless overridden. */
export function actor(p: TestPartner, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = p.cert.privateKey): string {
  return p.actorToken({ ...times, ...claims }, header, key)
}

/** A user-context token from `p`, valid at NOW unless overridden. */
export function userToken(
  p: TestPartner,
  user: Record<string, unknown> = { upn: 'alice@contoso.com' },
  outer: Record<string, unknown> = {},
  actorClaims: Record<string, unknown> = {},
): string {
  return p.userToken(user, { ...times, ...outer }, { ...times, ...actorClaims })
}
