// Outbound: who our token is for (docs/PROTOCOL.md §2.5, §5.5). aud = <principal>/<audienceHost>@<realm>, where the
// principal is the partner's registered identity (metadata, else config; a challenge only when neither names one)
// and the realm comes from the partner's challenge when known, else its metadata identity, else config. Challenge
// values that could not be one part of aud are ignored. A realm of "*" never goes into aud: it sends us to
// discovery, and finally to our own issuer realm.
import { principalPartProblem } from '../config/index.js'
import type { PartnerConfig, PartnerOutboundConfig } from '../schema/index.js'
import type { PartnerIdentity } from '../partners/index.js'
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

/** Longer challenge values are not a principal id or realm (GUIDs, domain names), whatever they hold. */
export const MAX_CHALLENGE_PART_CHARS = 255

/**
 * A challenge value (the partner's own, unauthenticated words) usable as one part of aud: no whitespace, control
 * characters, '@', '/', ',', '"' or '\' (docs/PROTOCOL.md §7.8: receivers split aud at the first '/' and the last '@',
 * and not all of them the same way), not "*", not too long; else undefined, as if the challenge had not named it.
 */
export function challengePart(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || value === '*' || value.length > MAX_CHALLENGE_PART_CHARS) return undefined
  return principalPartProblem(value, 'a challenge value') === undefined ? value : undefined
}

type Found = { value: string; from: AudienceSource } | undefined

function firstOf(...candidates: Array<[string | undefined, AudienceSource]>): Found {
  for (const [value, from] of candidates) if (value !== undefined && value !== '') return { value: value.toLowerCase(), from }
  return undefined
}

/**
 * The principal: the partner's registered identity (its metadata document, else applicationId). A challenge may
 * confirm it, and names it only when nothing registered does: a partner naming another client_id would otherwise
 * get our token for another service's audience.
 */
function principalOf(inputs: TargetInputs): Found {
  const { challenge, identity, config } = inputs
  const registered = firstOf([identity?.id, identitySource(config)], [config.applicationId, 'config'])
  const named = challengePart(challenge?.clientId)?.toLowerCase()
  if (registered === undefined) return firstOf([named, 'challenge'])
  return named === registered.value ? { value: registered.value, from: 'challenge' } : registered
}

/** What is known without probing; `undefined` parts mean a probe is needed. */
export function knownParts(inputs: TargetInputs): { principal: Found; realm: Found; wildcard: boolean } {
  const { challenge, identity, config } = inputs
  const from = identitySource(config)
  const principal = principalOf(inputs)
  const realm = firstOf([concrete(challengePart(challenge?.realm)), 'challenge'], [concrete(identity?.realm), from], [concrete(config.realm), 'config'])
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
