// CLI: turn the validator's GatewayError (tokens/: code plus a fixed `reason`) into the step of docs/PROTOCOL.md §4
// that refused the token and an exact explanation, quoting the token's own claims and the configuration it
// was compared with. Operators read this; the gateway itself never sends it to a caller.
import type { AuthorizationServers } from '../auth-servers/index.js'
import type { GatewayConfig } from '../schema/index.js'
import type { GatewayError, TokenRejectReason } from '../errors/index.js'
import type { Partner, PartnerRegistry } from '../partners/index.js'
import { relativeTime } from './partner-show.js'
import type { DecodedToken } from './token-inspect-decode.js'

export interface Explanation {
  /** e.g. "§4.6 audience". */
  step: string
  reason: string
}

interface Context {
  token: DecodedToken
  config: GatewayConfig
  registry: PartnerRegistry
  servers: AuthorizationServers | undefined
  nowSec: number
  err: GatewayError
}

const s = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? 'absent')
const audParts = (aud: unknown): { principal: string; host: string; realm: string } => {
  const text = typeof aud === 'string' ? aud : ''
  const slash = text.indexOf('/')
  const at = text.lastIndexOf('@')
  return { principal: text.slice(0, Math.max(slash, 0)), host: slash < 0 || at < slash ? '' : text.slice(slash + 1, at), realm: at < 0 ? '' : text.slice(at + 1) }
}
const partnerOf = (c: Context): string => String(c.err.detail['partner'] ?? 'the issuing partner')

/**
 * Whose keys the validator used: an authorization server when the error names one, or when the partner it names
 * is a server whose issuer id is the token's (issue 7: server tokens are recognised by iss); else that partner.
 */
function keyHolder(c: Context): { label: string; holder: Partner | undefined } {
  const { partner, authorizationServer } = c.err.detail
  const iss = String(c.token.actor.claims['iss'] ?? '')
  const issId = iss.slice(0, iss.lastIndexOf('@')).toLowerCase()
  const server = c.servers?.all().find((s) =>
    typeof authorizationServer === 'string' ? authorizationServer.split(',').includes(s.name) : s.name === partner && s.identity()?.id === issId,
  )
  if (server !== undefined) return { label: `authorization server ${server.name}`, holder: server.metadata }
  return { label: partnerOf(c), holder: c.registry.all().find((p) => p.name === partner) }
}
const when = (sec: unknown, nowSec: number): string => {
  const n = Number(sec)
  if (!Number.isFinite(n)) return s(sec)
  return `${new Date(n * 1000).toISOString()} (${relativeTime(n * 1000, nowSec * 1000)})`
}

type Rule = [step: string, explain: (c: Context) => string]

const RULES: Record<TokenRejectReason, Rule> = {
  too_large: ['§4.1 extract', (c) => `the token is ${Buffer.byteLength(c.token.text)} bytes; tokens.maxTokenBytes is ${c.config.tokens.maxTokenBytes}`],
  malformed: ['§4.1 extract', () => 'not three canonical base64url segments with a JSON header (string alg) and payload'],
  alg_not_allowed: ['§4.2 classify', (c) => `the actor token's alg is ${s(c.token.actor.header['alg'])}; only RS256 is accepted (and "none" for the outer wrapper only)`],
  header_not_allowed: ['§4.3 header', (c) => `the header carries ${s(c.err.detail['claim'])}: jku, x5u, jwk, x5c and crit are refused, typ must be JWT`],
  outer_signed: ['§4.2 classify', () => 'the outer (alg none) token has a signature, or an RS256 token carries actortoken: Exchange rejects both'],
  outer_no_actortoken: ['§4.2 classify', () => 'an alg "none" token without a string actortoken claim is never accepted'],
  nested_actortoken: ['§4.2 classify', () => 'the actor token itself carries an actortoken claim'],
  issuer_malformed: ['§4.4 issuer', (c) => `iss ${s(c.token.actor.claims['iss'])} is not <id>@<realm>`],
  issuer_unknown: ['§4.4 issuer', (c) => {
    const known = c.registry.all().map((p) => `${p.name} (${p.identity()?.id ?? p.config.applicationId ?? 'id unknown'})`)
    return `iss ${s(c.token.actor.claims['iss'])} names no registered partner; registered: ${known.join(', ') || 'none'}`
  }],
  issuer_realm: ['§4.4 issuer', (c) => {
    const p = c.registry.all().find((x) => x.name === c.err.detail['partner'])
    return `the realm of iss ${s(c.token.actor.claims['iss'])} is not ${partnerOf(c)}'s realm ${s(p?.identity()?.realm)} (a "*" partner must use one of our realms: ${[c.config.service.realm, ...c.config.service.realmAliases].join(', ')})`
  }],
  authz_actor: ['§6 authorization server', (c) => `the token of authorization server ${s(c.err.detail['authorizationServer'])} names acting application ${s(c.token.actor.claims['actor'] ?? c.token.actor.claims['nameid'])}, which is no partner configured with that server (authorizationServer, applicationId, realm)`],
  authz_wrapped: ['§6 authorization server', () => "an alg \"none\" outer token wraps an authorization server's token; user tokens from a server are single signed tokens (nameid = user, actor = application)"],
  signature: ['§4.5 signature', (c) => {
    const { label, holder } = keyHolder(c)
    const keys = holder?.keys()?.all.map((k) => k.x5t).join(', ') ?? 'none loaded'
    // Only a metadata holder is refetched on a miss; certificate files are read once (issue 15).
    const refetched = holder === undefined ? '' : holder.config.metadataUrl === undefined ? ' (certificate files: no metadata to refetch)' : ', also after one metadata refetch'
    return `the RS256 signature does not verify with any key of ${label} (token x5t ${s(c.token.actor.header['x5t'])}; its keys: ${keys})${refetched}`
  }],
  aud_malformed: ['§4.6 audience', (c) => `aud ${s(c.token.actor.claims['aud'])} is not <service id>/<host[:port]>@<realm>`],
  aud_principal: ['§4.6 audience', (c) => `aud principal ${s(audParts(c.token.actor.claims['aud']).principal)} is not our service.id ${c.config.service.id}`],
  aud_host: ['§4.6 audience', (c) => `aud host ${s(audParts(c.token.actor.claims['aud']).host)} is not in service.publicHosts (${c.config.service.publicHosts.join(', ')})`],
  aud_realm: ['§4.6 audience', (c) => `aud realm ${s(audParts(c.token.actor.claims['aud']).realm)} is not service.realm or a realmAlias (${[c.config.service.realm, ...c.config.service.realmAliases].join(', ')})`],
  nameid: ['§4.7 nameid', (c) => `the actor's nameid ${s(c.token.actor.claims['nameid'])} differs from its iss ${s(c.token.actor.claims['iss'])}`],
  time_malformed: ['§4.8 time', (c) => `${s(c.err.detail['claim'])} is missing or not a number of seconds (JSON number or decimal string)`],
  not_yet_valid: ['§4.8 time', (c) => `not valid yet: nbf ${when(c.token.outer?.claims['nbf'] ?? c.token.actor.claims['nbf'], c.nowSec)}, beyond the ${c.config.tokens.clockSkewSec} s clock skew`],
  expired: ['§4.8 time', (c) => `expired: exp ${when(c.token.outer?.claims['exp'] ?? c.token.actor.claims['exp'], c.nowSec)}, beyond the ${c.config.tokens.clockSkewSec} s clock skew`],
  lifetime: ['§4.8 time', (c) => `exp must be after nbf and exp - nbf at most tokens.maxLifetimeSec (${c.config.tokens.maxLifetimeSec} s); actor: ${Number(c.token.actor.claims['exp']) - Number(c.token.actor.claims['nbf'])} s`],
  outer_binding: ['§4.9 outer token', (c) => `the outer token's ${s(c.err.detail['claim'])} does not equal the actor's (outer iss must be the actor nameid, outer aud the actor aud)`],
  user_claims: ['§4.10 user', () => 'no usable user claim: nameid, upn, smtp or sip must be a string (a SID nameid counts only for partners with acceptSid)'],
  claim_value: ['§4.10 user', (c) => `claim ${s(c.err.detail['claim'])} contains control characters`],
}

/** The step and reason for a rejection from validate(); `servers` when the validator had authorization servers. */
export function explainRejection(
  err: GatewayError,
  token: DecodedToken,
  config: GatewayConfig,
  registry: PartnerRegistry,
  nowSec: number,
  servers?: AuthorizationServers,
): Explanation {
  const c: Context = { token, config, registry, servers, nowSec, err }
  if (err.code === 'GW_NOT_ALLOWED') {
    const why = err.detail['reason'] === 'trust_level'
      ? `${partnerOf(c)} has trustLevel application: it may call only as itself, user tokens need trustLevel full`
      : 'the actor token lacks trustedfordelegation "true", so it may not carry a user'
    return { step: '§4.10 trust policy (403)', reason: why }
  }
  if (err.code === 'GW_PARTNER_UNAVAILABLE') {
    const { label, holder } = keyHolder(c)
    const last = holder?.lastFetch()
    return { step: '§4.4-4.5 partner keys (503)', reason: `${label} has no usable keys${last?.error === undefined ? '' : `: its metadata fetch failed (${last.detail ?? last.error})`}; the gateway answers 503 and Retry-After` }
  }
  const reason = err.reason ?? 'malformed'
  const [step, explain] = RULES[reason]
  return { step, reason: explain(c) }
}
