// Token validation, step 10 (docs/PROTOCOL.md §4.10): what a fully verified partner may ask for. Applied only after
// the signature verified (403 must never answer an unverified token) and again on every token-cache hit.
import { GatewayError } from '../errors/index.js'
import type { Partner } from '../partners/index.js'
import type { AuthType } from '../identity/index.js'

/**
 * Application-trust partners authenticate only as themselves; full-trust partners act for users only when the
 * actor says `trustedfordelegation`. No silent downgrade of a user token to app-only.
 * @throws GatewayError GW_NOT_ALLOWED (detail.reason 'trust_level' | 'delegation'; detail.authType: the verified
 *   token's, so the refusal is counted as what it was)
 */
export function enforceTrustPolicy(partner: Partner, authType: AuthType, trustedForDelegation: boolean): void {
  if (authType !== 'user') return
  if (partner.trustLevel !== 'full') {
    throw new GatewayError('GW_NOT_ALLOWED', { detail: { partner: partner.name, authType, reason: 'trust_level' } })
  }
  if (!trustedForDelegation) {
    throw new GatewayError('GW_NOT_ALLOWED', { detail: { partner: partner.name, authType, reason: 'delegation' } })
  }
}
