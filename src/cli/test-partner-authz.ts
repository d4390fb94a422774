// CLI: the authorization-server steps of `test-partner` (issue 7), for a partner with `authorizationServer`: the
// server's metadata is reachable and names an issuance endpoint, the partner's challenge trusts the server, and
// an access token is obtained from it (through the same Outbound the listener uses).
import type { AuthorizationServers } from '../auth-servers/index.js'
import type { PartnerConfig } from '../schema/index.js'
import { GatewayError } from '../errors/index.js'
import type { Outbound, ProbeResult } from '../outbound/index.js'
import { listsIssuer } from '../outbound/index.js'
import { showTime, validityOf } from './partner-show.js'
import { fetchProblem } from './test-partner-inbound.js'
import { fail, pass, skipped, type StepResult } from './test-partner-report.js'

export const SERVER_STEP = 'authorization server'
export const SERVER_TOKEN_STEP = 'token obtained from the authorization server'

/** Load the server's metadata with the gateway's own rules; PASS names its issuer, keys and issuance endpoint. */
export async function checkAuthorizationServer(servers: AuthorizationServers, partner: PartnerConfig, nowMs: number): Promise<StepResult> {
  const server = servers.get(partner.authorizationServer ?? '')
  if (server === undefined) return fail(`no authorizationServers entry is named "${partner.authorizationServer ?? ''}"`)
  const url = server.config.metadataUrl
  await server.metadata.ensureLoaded()
  const keys = server.metadata.keys()
  if (keys === undefined) return fail(`the metadata of ${server.name} (${url}) is not usable: ${fetchProblem(server.metadata)}`)
  const lines = keys.all.map((k) => `certificate ${k.x5t} ${k.subject}, valid until ${showTime(k.notAfter, nowMs)} ${validityOf(k, nowMs)}`)
  const endpoint = server.issuanceEndpoint()
  if (endpoint === undefined) {
    return fail(`${url} (${server.issuer() ?? '?'}) names no issuance endpoint (endpoints[] with protocol OAuth2, usage issuance): no token can be obtained from it`, lines)
  }
  return pass(`${server.name}: ${url} names ${server.issuer() ?? '?'}, ${keys.all.length} signing certificate(s), issuance endpoint ${endpoint}`, lines)
}

/** The partner accepts tokens of the server when its challenge lists the server's issuer (or `<id>@*`). */
export function checkListsServer(result: ProbeResult | GatewayError, servers: AuthorizationServers, partner: PartnerConfig): StepResult {
  const server = servers.get(partner.authorizationServer ?? '')
  const identity = server?.identity()
  const issuers = result instanceof GatewayError ? undefined : result.challenge?.trustedIssuers
  if (server === undefined || identity === undefined) return skipped('the authorization server is not usable, so its issuer is unknown')
  if (issuers === undefined || issuers.length === 0) return skipped(`its challenge names no trusted issuers, so it cannot be checked (the server issues as ${server.issuer() ?? '?'})`)
  if (identity.realm === '*' ? issuers.some((i) => i.toLowerCase().startsWith(`${identity.id}@`)) : listsIssuer(issuers, identity.id, identity.realm)) {
    return pass(`trusted_issuers lists the authorization server ${server.issuer() ?? ''}`)
  }
  return fail(`trusted_issuers lists ${issuers.join(', ')} but not ${server.issuer() ?? ''}: the partner does not accept tokens of ${server.name}`)
}

/** An access token for the partner, obtained as a call would obtain it; a refusal is explained. */
export async function checkServerToken(outbound: Outbound, name: string, path: string, nowMs: number): Promise<StepResult> {
  try {
    const { target, token } = await outbound.token(name, undefined, path)
    return pass(`resource ${target.audience}, client_id ${target.issuer}`, [
      `principal from ${target.principalFrom}, realm from ${target.realmFrom}`,
      `issued by ${'authorizationServer' in token ? String(token.authorizationServer) : '?'}${token.x5t === '' ? '' : `, signed with x5t ${token.x5t}`}`,
      `valid until ${showTime(token.exp * 1000, nowMs)}`,
    ])
  } catch (err) {
    if (!(err instanceof GatewayError) || err.code !== 'GW_OUTBOUND_AUTHZ_TOKEN') throw err
    const d = err.detail
    const answer = d['status'] === undefined ? '' : `: HTTP ${String(d['status'])}${d['error'] === undefined ? '' : ` ${String(d['error'])}`}`
    return fail(`${String(d['authorizationServer'])} gave no token (${String(d['fault'])}${answer}); is the gateway registered there as ${String(d['clientId'] ?? 'its client')} with its metadata (certificate)?`)
  }
}
