// Outbound: one configuration's outbound side (built per Runtime, swapped on reload). callPartner-style flow of
// docs/PROTOCOL.md §5.5: resolve the audience (probing when the realm is unknown), send with a cached or fresh token,
// and on a 401 to a replayable request probe once more and retry once. Used by the listener and test-partner.
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { createAuthorizationServers, type AuthorizationServers } from '../auth-servers/index.js'
import { createAuthzTokenSource } from './access-tokens.js'
import type { GatewayConfig } from '../schema/index.js'
import { GatewayError } from '../errors/index.js'
import type { Logger } from '../log/index.js'
import type { Partner, PartnerIdentity, PartnerRegistry } from '../partners/index.js'
import type { TokenSigner } from '../issuer/index.js'
import { createOutboundTokenCache } from './outbound-token-cache.js'
import { createOutboundTokenIssuer, type IssuedToken, type OutboundTokenRequest } from './outbound-tokens.js'
import type { UserClaims } from '../identity/index.js'
import { listsIssuer, type BearerChallenge } from './challenge-parse.js'
import { createDiscovery, type ProbeResult } from './discovery.js'
import { guardEvents, type OutboundEvents } from './events.js'
import { createPartnerTable, targetPath, type OutboundPartner } from './partner-table.js'
import { isReplayable, partnerRequestHeaders, type OutboundBody } from './partner-headers.js'
import { probePartner } from './probe.js'
import { CallAbandoned, send, type Exchange, type InFlight } from './send.js'
import { resolveTarget, type OutboundTarget, type TargetInputs } from './target.js'

export interface OutboundDeps {
  config: GatewayConfig
  /** Our current signer (issuer.certificates[0]). */
  signer: TokenSigner
  registry: PartnerRegistry
  /** Token servers for partners with authorizationServer (issue 7). Default: none (their calls get 502). */
  authorizationServers?: AuthorizationServers
  log: Logger
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number
  events?: OutboundEvents
  /** Reads outbound.caFile. Default fs.readFileSync(path, 'utf8'). */
  readFile?: (path: string) => string
}

export interface OutboundCall {
  partner: string
  method: string
  /** What follows /<partner> in the listener's URL: path (starting with '/') and query. */
  pathAndQuery: string
  /** The backend's headers; cleaned here (partner-headers.ts). */
  headers: IncomingHttpHeaders
  /** From x-s2s-act-as-* (act-as.ts); undefined for an app-only call. */
  user: UserClaims | undefined
  body: OutboundBody
  /** The listener's hold on the call, to stop it when its caller goes away (send.ts abandonCall). */
  inFlight?: InFlight
}

export interface OutboundResult {
  response: IncomingMessage
  /** The request the response belongs to (destroy it when the backend goes away). */
  request: ClientRequest
  token: IssuedToken
  target: OutboundTarget
  /** The path and query the request went to, under the partner's outbound.url origin (targetPath). */
  path: string
  /** True when a 401 led to a probe and a second attempt. */
  retried: boolean
  /** True when the (last) attempt met a stale keep-alive connection and went out again on a new one (send.ts). */
  resent: boolean
}

/** A call sent, its response still to come (the exchange's request changes if it is sent again). */
type Started = Pick<OutboundResult, 'token' | 'target' | 'path'> & { exchange: Exchange }

export interface Outbound {
  partner(name: string): OutboundPartner | undefined
  names(): string[]
  /** Send a call. @throws GatewayError (404, 403, 502, 504) */
  call(call: OutboundCall): Promise<OutboundResult>
  /** The audience and issuer for a partner, probing `probePath` when its realm is unknown. */
  target(name: string, probePath?: string): Promise<OutboundTarget>
  /** A token for a partner, as a call would get it. */
  token(name: string, user?: UserClaims, probePath?: string): Promise<{ target: OutboundTarget; token: IssuedToken }>
  /** Probe now (cached like any probe): what the partner's challenge says. */
  probe(name: string, path?: string): Promise<ProbeResult>
  readonly events: Required<OutboundEvents>
  /** Retire the partners' agents; calls in flight finish. */
  close(): void
}

export function createOutbound(deps: OutboundDeps): Outbound {
  const { config, log } = deps
  const now = deps.now ?? Date.now
  const table = createPartnerTable(config, deps.readFile)
  const events = guardEvents(deps.events, log)
  const discovery = createDiscovery(now, config.outbound.probeReuseMs)
  const cache = createOutboundTokenCache({ maxEntries: config.outbound.tokenCacheMaxEntries, refreshBeforeExpirySec: config.outbound.tokenRefreshBeforeExpirySec })
  const tokens = createOutboundTokenIssuer({ signer: deps.signer, now, cache, onIssued: events.onTokenIssued })
  const serverTokens = createAuthzTokenSource({
    servers: deps.authorizationServers ?? createAuthorizationServers([], { metadata: config.metadata }),
    signer: deps.signer, serviceId: config.service.id, limits: config.metadata, now, log,
    refreshBeforeExpirySec: config.outbound.tokenRefreshBeforeExpirySec,
    onIssued: (partner) => events.onTokenIssued(partner, 'app'),
  })

  function requirePartner(name: string): OutboundPartner {
    const partner = table.get(name)
    if (partner === undefined) throw new GatewayError('GW_OUTBOUND_UNKNOWN_PARTNER')
    return partner
  }

  function registered(name: string): Partner | undefined {
    return deps.registry.all().find((p) => p.name === name)
  }

  async function identityOf(p: OutboundPartner) {
    const partner = registered(p.name)
    if (partner === undefined) return undefined
    if (partner.identity() === undefined) await partner.ensureLoaded()
    return partner.identity()
  }

  async function discover(p: OutboundPartner, path: string): Promise<ProbeResult> {
    const result = await discovery.discover(p.name, () => probePartner(p, path, now))
    const c = result.challenge
    log.info({ partner: p.name, status: result.status, realm: c?.realm, clientId: c?.clientId }, 'partner challenge probed')
    // A partner reached through an authorization server trusts that server, not us.
    if (p.config.authorizationServer === undefined && c?.trustedIssuers !== undefined && c.trustedIssuers.length > 0 && !listsIssuer(c.trustedIssuers, config.service.id, p.outbound.issuerRealm)) {
      log.warn({ partner: p.name, issuer: `${config.service.id}@${p.outbound.issuerRealm}` }, 'partner challenge does not list the gateway in trusted_issuers: register the gateway at the partner')
    }
    const registeredId = registered(p.name)?.identity()?.id ?? p.config.applicationId
    if (c?.clientId !== undefined && registeredId !== undefined && c.clientId.toLowerCase() !== registeredId.toLowerCase()) {
      log.warn({ partner: p.name, registered: registeredId }, 'partner challenge names another client_id than the partner is registered with: ignored, aud keeps the registered principal')
    }
    return result
  }

  const inputsOf = (p: OutboundPartner, identity: PartnerIdentity | undefined): TargetInputs =>
    ({ serviceId: config.service.id, config: p.config, outbound: p.outbound, challenge: discovery.known(p.name), identity })

  /**
   * The last target resolved for each partner, with the identity (its two fields: a partner whose document is not
   * loaded yet gives a new object per call) and the challenge (replaced, never changed, by a probe) it was resolved
   * from, so the usual call does not build its audience and issuer strings again (issue 11). One entry per partner.
   */
  const lastTargets = new Map<OutboundPartner, { id: string | undefined; realm: string | undefined; challenge: BearerChallenge | undefined; target: OutboundTarget | undefined }>()

  /** The target without waiting, when the partner's identity is known (or not needed) and no probe is: the usual call. */
  function knownTarget(p: OutboundPartner): OutboundTarget | undefined {
    const partner = registered(p.name)
    const identity = partner?.identity()
    if (partner !== undefined && identity === undefined) return undefined // its document may still be loading
    const challenge = discovery.known(p.name)
    const last = lastTargets.get(p)
    if (last !== undefined && last.id === identity?.id && last.realm === identity?.realm && last.challenge === challenge) return last.target
    const target = resolveTarget(inputsOf(p, identity), false)
    lastTargets.set(p, { id: identity?.id, realm: identity?.realm, challenge, target })
    return target
  }

  async function target(p: OutboundPartner, path: string): Promise<OutboundTarget> {
    const known = resolveTarget(inputsOf(p, await identityOf(p)), false)
    if (known !== undefined) return known
    await discover(p, path)
    const found = resolveTarget(inputsOf(p, await identityOf(p)), true)
    if (found === undefined) throw new GatewayError('GW_OUTBOUND_AUDIENCE_UNKNOWN', { detail: { partner: p.name } })
    return found
  }

  /** Our own token, or (issue 7) one from the partner's authorization server, whose realm may change the target. */
  async function issue(p: OutboundPartner, t: OutboundTarget, user: UserClaims | undefined): Promise<{ target: OutboundTarget; token: IssuedToken }> {
    const server = p.config.authorizationServer
    if (server !== undefined) {
      // App-only: user context through a token server is out of scope (README).
      if (user !== undefined) throw new GatewayError('GW_OUTBOUND_AUTHZ_USER', { detail: { partner: p.name } })
      return serverTokens.issue({ partner: p.name, server, target: t })
    }
    return { target: t, token: await tokens.issue(tokenRequest(p, t, user)) }
  }

  function tokenRequest(p: OutboundPartner, t: OutboundTarget, user: UserClaims | undefined): OutboundTokenRequest {
    const { tokenLifetimeSec: lifetimeSec, dateFormat } = p.outbound
    return { partner: p.name, issuer: t.issuer, audience: t.audience, lifetimeSec, dateFormat, ...(user === undefined ? {} : { user }) }
  }

  function start(p: OutboundPartner, c: OutboundCall, t: OutboundTarget, token: IssuedToken): Started {
    // The caller left while we waited for a target or a token, or between a 401 and its retry: send nothing.
    if (c.inFlight?.abandoned === true) throw new CallAbandoned('the caller went away before the call was sent')
    const path = targetPath(p, c.pathAndQuery)
    const exchange = send(
      { endpoint: p.endpoint, path, method: c.method, headers: partnerRequestHeaders(c.headers, `Bearer ${token.token}`, c.body), body: c.body, timeoutMs: p.outbound.timeoutMs, agent: p.agent, idle: p.idle },
      { partner: p.name },
      events.onResend,
    )
    if (c.inFlight !== undefined) c.inFlight.exchange = exchange
    return { target: t, token, path, exchange }
  }

  /**
   * The usual call, started without waiting: target known and our token cached (issue 11). A chain of awaits
   * through target and token costs a promise and a microtask turn each, for values that are ready.
   */
  function startNow(p: OutboundPartner, c: OutboundCall): Started | undefined {
    if (p.config.authorizationServer !== undefined) return undefined
    const t = knownTarget(p)
    const token = t === undefined ? undefined : tokens.cached(tokenRequest(p, t, c.user))
    return t === undefined || token === undefined ? undefined : start(p, c, t, token)
  }

  /**
   * The result as one literal (issue 11): spread from the started call, its map differed from call to call and the
   * listener's every read of it (relay, access line) was a megamorphic inline-cache miss (`--log-ic`).
   */
  async function attempt(p: OutboundPartner, c: OutboundCall, path: string, retried: boolean): Promise<OutboundResult> {
    const started = startNow(p, c) ?? (await startAfterWaiting(p, c, path))
    const { exchange } = started
    const response = await exchange.response
    return { response, request: exchange.request, token: started.token, target: started.target, path: started.path, retried, resent: exchange.resent }
  }

  async function startAfterWaiting(p: OutboundPartner, c: OutboundCall, path: string): Promise<Started> {
    const { target: t, token } = await issue(p, await target(p, path), c.user)
    return start(p, c, t, token)
  }

  async function call(c: OutboundCall): Promise<OutboundResult> {
    const p = requirePartner(c.partner)
    if (c.user !== undefined && p.config.authorizationServer !== undefined) throw new GatewayError('GW_OUTBOUND_AUTHZ_USER', { detail: { partner: p.name } })
    if (c.user !== undefined && !p.outbound.actAsUsers) throw new GatewayError('GW_OUTBOUND_ACT_AS_DENIED', { detail: { partner: p.name } })
    const first = await attempt(p, c, c.pathAndQuery, false)
    if (first.response.statusCode !== 401) return first
    // The partner's view of us (or ours of it) changed: no cached token for it is worth sending again.
    tokens.forgetPartner(p.name)
    serverTokens.forgetPartner(p.name)
    if (!isReplayable(c.body)) {
      discover(p, c.pathAndQuery).catch((err: unknown) => log.warn({ partner: p.name, err }, 'partner probe failed'))
      return first
    }
    first.response.resume()
    await discover(p, c.pathAndQuery).catch((err: unknown) => log.warn({ partner: p.name, err }, 'partner probe failed'))
    return attempt(p, c, c.pathAndQuery, true)
  }

  return {
    partner: (name) => table.get(name),
    names: () => table.all().map((p) => p.name),
    call,
    target: (name, probePath = '/') => target(requirePartner(name), probePath),
    async token(name, user, probePath = '/') {
      const p = requirePartner(name)
      return issue(p, await target(p, probePath), user)
    },
    probe: (name, path = '/') => discover(requirePartner(name), path),
    events,
    close: () => table.retire(),
  }
}
