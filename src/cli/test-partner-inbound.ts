// CLI: `test-partner --inbound`: the gateway's own half of a partnership. With the partner's key and certificate,
// mint the token the partner would send us and run it through our validator (the inbound path's checks, in
// process), explaining a rejection with the same words as `token inspect --config`.
import type { GatewayConfig } from '../schema/index.js'
import { GatewayError } from '../errors/index.js'
import { silentLogger } from '../log/index.js'
import type { Partner, PartnerRegistry } from '../partners/index.js'
import { mintActorToken, wrapUserToken, type TokenSigner } from '../issuer/index.js'
import { createTokenValidator } from '../tokens/index.js'
import type { UserClaims } from '../identity/index.js'
import { decodeToken } from './token-inspect-decode.js'
import { explainRejection } from './token-inspect-explain.js'
import { fail, pass, type StepResult } from './test-partner-report.js'

export async function checkPartnerKeyPublished(partner: Partner, signer: TokenSigner): Promise<StepResult> {
  await partner.ensureLoaded()
  const keys = partner.keys()
  if (keys === undefined) return fail(`the gateway has no usable keys for ${partner.name} (${fetchProblem(partner)})`)
  if (keys.byX5t.has(signer.x5t)) return pass(`the partner certificate ${signer.x5t} is one of the ${keys.all.length} key(s) the gateway trusts for ${partner.name}`)
  return fail(`the partner certificate ${signer.x5t} is not among the keys the gateway trusts for ${partner.name} (${keys.all.map((k) => k.x5t).join(', ')}): tokens signed with it get 401`)
}

/** Why the last metadata fetch failed: its errno or HTTP status when known. */
export const fetchProblem = (p: Partner): string => {
  const last = p.lastFetch()
  return last === undefined ? 'not loaded' : (last.detail ?? last.error ?? 'no usable keys')
}

/** "an app", "a user": the article the word needs. */
const withArticle = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`

/** Mint the token the partner would send (aud = our first public host) and validate it as the gateway would. */
export async function checkInboundToken(
  config: GatewayConfig,
  registry: PartnerRegistry,
  partner: Partner,
  signer: TokenSigner,
  user: UserClaims | undefined,
  now: () => number,
): Promise<StepResult> {
  await partner.ensureLoaded()
  const identity = partner.identity()
  if (identity === undefined) return fail(`the identity of ${partner.name} is unknown (its metadata did not load)`)
  const realm = identity.realm === '*' ? config.service.realm : identity.realm
  const issuer = `${identity.id}@${realm}`
  const audience = `${config.service.id}/${config.service.publicHosts[0] ?? ''}@${config.service.realm}`
  const nowSec = Math.floor(now() / 1000)
  const times = { nbf: nowSec - 300, exp: nowSec + 3600 }
  const actor = await mintActorToken(signer, { issuer, audience, ...times, ...(user === undefined ? {} : { trustedForDelegation: true }) })
  const token = user === undefined ? actor : wrapUserToken({ actorToken: actor, issuer, audience, ...times, user })
  const validator = createTokenValidator({ service: config.service, tokens: config.tokens, registry, now, logger: silentLogger })
  try {
    const accepted = await validator.validate(token)
    return pass(`${withArticle(accepted.authType)} token from ${issuer} for ${audience} is accepted as partner ${accepted.partner} (trust ${accepted.trustLevel})`)
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    const why = explainRejection(err, decodeToken(token), config, registry, nowSec)
    return fail(`${withArticle(user === undefined ? 'app' : 'user')} token from ${issuer} would get HTTP ${err.status}, at ${why.step}: ${why.reason}`)
  }
}
