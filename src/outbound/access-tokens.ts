// Authorization servers, outbound (issue 7): the access tokens we send to partners configured with a server.
// Client-credentials grant at the server's issuance endpoint, authenticated with our client assertion; cached per
// (partner, resource, client_id, our x5t, endpoint) until shortly before expiry, one request in flight per key.
import { GatewayError } from '../errors/index.js'
import type { Logger } from '../log/index.js'
import type { OutboundTarget } from './target.js'
import type { TokenSigner } from '../issuer/index.js'
import type { IssuedToken } from './outbound-tokens.js'
import { JWT_BEARER_ASSERTION_TYPE, mintClientAssertion } from './client-assertion.js'
import { IssuanceError, requestAccessToken, type IssuanceOptions, type IssuedAccessToken } from './issuance.js'
import type { AuthorizationServer, AuthorizationServers } from '../auth-servers/index.js'

/** A token from a server, as the outbound path uses it, with what it was asked for. */
export interface AuthzIssuedToken extends IssuedToken {
  authorizationServer: string
}

export interface AuthzTokenRequest {
  /** Registered partner name. */
  partner: string
  /** Its authorizationServer. */
  server: string
  /** The partner's audience as resolved for a self-issued token: principal and host are kept, the realm may change. */
  target: OutboundTarget
}

export interface AuthzTokenSourceDeps {
  servers: AuthorizationServers
  /** Our current signer (issuer.certificates[0]): signs the client assertion. */
  signer: TokenSigner
  /** service.id. */
  serviceId: string
  /** Timeout and byte cap of the token request: metadata.timeoutMs and metadata.maxBytes. */
  limits: { timeoutMs: number; maxBytes: number }
  /** outbound.tokenRefreshBeforeExpirySec: obtain a new token this long before expiry (or at half its lifetime, when that is shorter). */
  refreshBeforeExpirySec: number
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number
  log: Logger
  /** Called once per token obtained from a server (not for cache hits). */
  onIssued?: (partner: string) => void
  /** Default requestAccessToken (tests count or fail requests here). */
  request?: (endpoint: string, form: URLSearchParams, opts: IssuanceOptions, nowSec: number) => Promise<IssuedAccessToken>
}

export interface AuthzTokenSource {
  /** The target with the server's realm applied (resource and client_id), and a token for it. @throws GatewayError */
  issue(request: AuthzTokenRequest): Promise<{ target: OutboundTarget; token: AuthzIssuedToken }>
  /** Forget a partner's tokens (it answered 401), so the next call asks the server again. */
  forgetPartner(partner: string): void
}

interface Entry {
  token: AuthzIssuedToken
  /** Epoch seconds after which a new token is obtained. */
  refreshAt: number
}

/**
 * The realm of resource and client_id: the server's own realm when it has a concrete one (a tenant's server
 * issues only for its tenant, and partners require aud realm = iss realm), else the partner's resolved realm.
 */
export function serverTarget(target: OutboundTarget, server: AuthorizationServer, serviceId: string): OutboundTarget {
  const serverRealm = server.identity()?.realm
  const useServer = serverRealm !== undefined && serverRealm !== '*' && serverRealm !== ''
  const realm = useServer ? serverRealm : target.realm
  return {
    ...target,
    realm,
    audience: `${target.principal}/${target.host}@${realm}`,
    issuer: `${serviceId.toLowerCase()}@${realm}`,
    realmFrom: useServer ? 'authorization-server' : target.realmFrom,
  }
}

function x5tOf(token: string): string {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { x5t?: unknown }
    return typeof header.x5t === 'string' ? header.x5t : ''
  } catch {
    return ''
  }
}

export function createAuthzTokenSource(deps: AuthzTokenSourceDeps): AuthzTokenSource {
  const now = deps.now ?? Date.now
  const request = deps.request ?? requestAccessToken
  const entries = new Map<string, Entry>()
  const flights = new Map<string, Promise<AuthzIssuedToken>>()

  const fail = (server: AuthorizationServer, partner: string, reason: string, extra: Record<string, unknown> = {}, cause?: unknown): GatewayError =>
    new GatewayError('GW_OUTBOUND_AUTHZ_TOKEN', { ...(cause === undefined ? {} : { cause }), detail: { partner, authorizationServer: server.name, fault: reason, ...extra } })

  async function endpointOf(server: AuthorizationServer, partner: string): Promise<string> {
    if (server.metadata.keys() === undefined) await server.metadata.ensureLoaded()
    if (server.identity() === undefined) throw fail(server, partner, 'metadata_unavailable', { metadataError: server.metadata.lastFetch()?.error })
    const endpoint = server.issuanceEndpoint()
    if (endpoint === undefined) throw fail(server, partner, 'no_issuance_endpoint')
    return endpoint
  }

  async function obtain(server: AuthorizationServer, partner: string, target: OutboundTarget, endpoint: string, key: string): Promise<AuthzIssuedToken> {
    const nowSec = Math.floor(now() / 1000)
    const assertion = await mintClientAssertion(deps.signer, { clientId: target.issuer, audience: endpoint, nowSec })
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: target.issuer,
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
      resource: target.audience,
    })
    const options: IssuanceOptions = {
      timeoutMs: deps.limits.timeoutMs, maxBytes: deps.limits.maxBytes, allowHttp: server.config.allowHttp,
      insecureSkipVerify: server.config.tls.insecureSkipVerify, ...(server.caPem === undefined ? {} : { caPem: server.caPem }),
    }
    let answer: IssuedAccessToken
    try {
      answer = await request(endpoint, form, options, nowSec)
    } catch (err) {
      if (!(err instanceof IssuanceError)) throw err
      deps.log.warn({ partner, authorizationServer: server.name, reason: err.reason, status: err.status, error: err.oauthError }, 'authorization server gave no access token')
      throw fail(server, partner, err.reason, { status: err.status, error: err.oauthError, clientId: target.issuer, resource: target.audience }, err)
    }
    const exp = nowSec + answer.expiresInSec
    const token: AuthzIssuedToken = { token: answer.accessToken, nbf: nowSec, exp, x5t: x5tOf(answer.accessToken), authType: 'app', minted: true, authorizationServer: server.name }
    entries.set(key, { token, refreshAt: exp - Math.min(deps.refreshBeforeExpirySec, Math.floor(answer.expiresInSec / 2)) })
    deps.log.info({ partner, authorizationServer: server.name, resource: target.audience, expiresInSec: answer.expiresInSec }, 'access token obtained from the authorization server')
    try {
      deps.onIssued?.(partner)
    } catch {
      // metrics only: never part of the call
    }
    return token
  }

  return {
    async issue({ partner, server: name, target }) {
      const server = deps.servers.get(name)
      if (server === undefined) throw new GatewayError('GW_OUTBOUND_AUTHZ_TOKEN', { detail: { partner, authorizationServer: name, fault: 'not_configured' } })
      const endpoint = await endpointOf(server, partner)
      const t = serverTarget(target, server, deps.serviceId)
      const key = [partner, t.audience, t.issuer, deps.signer.x5t, endpoint].join('\n')
      const hit = entries.get(key)
      if (hit !== undefined && Math.floor(now() / 1000) < hit.refreshAt) return { target: t, token: { ...hit.token, minted: false } }
      let flight = flights.get(key)
      if (flight === undefined) {
        flight = obtain(server, partner, t, endpoint, key).finally(() => flights.delete(key))
        flights.set(key, flight)
      }
      return { target: t, token: await flight }
    },
    forgetPartner(partner) {
      const prefix = `${partner}\n`
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key)
    },
  }
}
