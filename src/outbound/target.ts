// Outbound: who our token is for (PROTOCOL.md §2.5, §5.5). aud = <principal>/<audienceHost>@<realm>, where
// principal and realm come from the partner's challenge when known, else its metadata identity, else config.
// A realm of "*" never goes into aud: it sends us to discovery, and finally to our own issuer realm.
import type { PartnerConfig, PartnerOutboundConfig } from '../config/types.js'
import type { PartnerIdentity } from '../partners/types.js'
import type { BearerChallenge } from './challenge-parse.js'

/** Where one part of the audience came from; shown by test-partner and logged. */
export type AudienceSource = 'challenge' | 'metadata' | 'config' | 'issuer-realm' | 'authorization-server'

export interface OutboundTarget {
  principal: string
  realm: string
  host: string
  /** `<principal>/<host>@<realm>`. */
  audience: string
  /** `<service.id>@<issuerRealm>`: iss and nameid. */
  issuer: string
  principalFrom: AudienceSource
  realmFrom: AudienceSource
}

export interface TargetInputs {
  serviceId: string
  config: PartnerConfig
  outbound: PartnerOutboundConfig
  /** The partner's challenge, when one was learnt. */
  challenge: BearerChallenge | undefined
  /** Its metadata document's identity (or the pinned config identity), when known. */
  identity: PartnerIdentity | undefined
}

/** A partner's identity comes from its document when it has a metadataUrl, else from config. */
const identitySource = (config: PartnerConfig): AudienceSource => (config.metadataUrl === undefined ? 'config' : 'metadata')

const concrete = (realm: string | undefined): string | undefined =>
  realm === undefined || realm === '' || realm === '*' ? undefined : realm.toLowerCase()

type Found = { value: string; from: AudienceSource } | undefined

function firstOf(...candidates: Array<[string | undefined, AudienceSource]>): Found {
  for (const [value, from] of candidates) if (value !== undefined && value !== '') return { value: value.toLowerCase(), from }
  return undefined
}

/** What is known without probing; `undefined` parts mean a probe is needed. */
export function knownParts(inputs: TargetInputs): { principal: Found; realm: Found; wildcard: boolean } {
  const { challenge, identity, config } = inputs
  const from = identitySource(config)
  const principal = firstOf([challenge?.clientId, 'challenge'], [identity?.id, from], [config.applicationId, 'config'])
  const realm = firstOf([concrete(challenge?.realm), 'challenge'], [concrete(identity?.realm), from], [concrete(config.realm), 'config'])
  const wildcard = identity?.realm === '*' || config.realm === '*'
  return { principal, realm, wildcard }
}

/**
 * The target, or undefined when the principal is unknown, or the realm is unknown and no wildcard registration
 * lets us fall back to our own issuer realm (`final` says whether discovery has already been tried).
 */
export function resolveTarget(inputs: TargetInputs, final: boolean): OutboundTarget | undefined {
  const parts = knownParts(inputs)
  let realm = parts.realm
  // A multi-tenant partner ("*") accepts any realm; lacking a challenge realm, ours is the one we are in.
  if (realm === undefined && final && parts.wildcard) realm = { value: inputs.outbound.issuerRealm, from: 'issuer-realm' }
  const principal = parts.principal
  if (principal === undefined || realm === undefined) return undefined
  const host = inputs.outbound.audienceHost
  return {
    principal: principal.value,
    realm: realm.value,
    host,
    audience: `${principal.value}/${host}@${realm.value}`,
    issuer: `${inputs.serviceId.toLowerCase()}@${inputs.outbound.issuerRealm}`,
    principalFrom: principal.from,
    realmFrom: realm.from,
  }
}
