// CLI: the outbound steps of `test-partner`, each returning PASS/FAIL/SKIP with a precise reason: our certificate,
// the partner's metadata, its challenge (does it list us?), minting a token, and calls through the same
// Outbound.call the listener uses (in-process: nothing is started).
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { GatewayConfig, PartnerConfig } from '../schema/index.js'
import { GatewayError } from '../errors/index.js'
import type { IssuerKeys } from '../issuer/index.js'
import { fetchMetadataDocument, MetadataError, MetadataFetchError, parseMetadataDocument } from '../partners/index.js'
import { listsIssuer, readBearerChallenge, type Outbound, type ProbeResult } from '../outbound/index.js'
import type { UserClaims } from '../identity/index.js'
import { NEAR_EXPIRY_DAYS, showTime, validityOf } from './partner-show.js'
import { fail, pass, skipped, type StepResult } from './test-partner-report.js'

const DAY_MS = 86_400_000

export function checkOurCertificate(keys: IssuerKeys, nowMs: number): StepResult {
  const key = keys.signingKey
  const lines = [`subject ${key.subject}`, `valid until ${showTime(key.notAfter, nowMs)}`]
  const state = validityOf(key, nowMs)
  if (state === 'EXPIRED') return fail(`the signing certificate ${key.x5t} expired: partners reject every token; rotate it (README: two-step rotation)`, lines)
  if (state === 'NOT YET VALID') return fail(`the signing certificate ${key.x5t} is not valid before ${new Date(key.notBefore).toISOString()}`, lines)
  const days = Math.floor((key.notAfter - nowMs) / DAY_MS)
  if (state === 'expires soon') return fail(`the signing certificate ${key.x5t} expires in ${days} days (< ${NEAR_EXPIRY_DAYS}): publish its successor now (README: two-step rotation)`, lines)
  return pass(`x5t ${key.x5t}, valid for ${days} more days, published with ${keys.published.length - 1} other certificate(s)`, lines)
}

export async function checkPartnerMetadata(partner: PartnerConfig, config: GatewayConfig, nowMs: number): Promise<StepResult> {
  const url = partner.metadataUrl
  if (partner.authorizationServer !== undefined) {
    return pass(`none of its own: registered as ${partner.applicationId ?? '?'}@${partner.realm ?? '?'}, its tokens come from authorization server ${partner.authorizationServer}`)
  }
  if (url === undefined) {
    return pass(`registered manually as ${partner.applicationId ?? '?'}@${partner.realm ?? '?'} with ${partner.certificates?.length ?? 0} certificate file(s)`)
  }
  let parsed
  try {
    // The gateway's own fetch options, tls.caFile included: an internal CA must not fail this step alone.
    const caPem = partner.tls.caFile === undefined ? undefined : readFileSync(partner.tls.caFile, 'utf8')
    const doc = await fetchMetadataDocument(url, {
      timeoutMs: config.metadata.timeoutMs, maxBytes: config.metadata.maxBytes, allowHttp: partner.allowHttp, insecureSkipVerify: partner.tls.insecureSkipVerify,
      ...(caPem === undefined ? {} : { caPem }),
    })
    parsed = parseMetadataDocument(doc)
  } catch (err) {
    if (err instanceof MetadataFetchError) return fail(`cannot fetch ${url}: ${err.message}`)
    if (err instanceof MetadataError) return fail(`${url} is not usable: ${err.message}`)
    throw err
  }
  const { id, realm } = parsed.identity
  const lines = parsed.keys.map((k) => `certificate ${k.x5t} ${k.subject}, valid until ${showTime(k.notAfter, nowMs)} ${validityOf(k, nowMs)}`)
  const pinned = (partner.applicationId !== undefined && partner.applicationId !== id) || (partner.realm !== undefined && partner.realm !== realm)
  if (pinned) {
    return fail(`${url} names issuer ${id}@${realm}, but the configuration pins ${partner.applicationId ?? '(any id)'}@${partner.realm ?? '(any realm)'}`, lines)
  }
  if (parsed.keys.every((k) => k.notAfter <= nowMs)) return fail(`${url} (${id}@${realm}) lists only expired certificates`, lines)
  return pass(`${url} names ${id}@${realm}, ${parsed.keys.length} signing certificate(s)`, [...lines, ...parsed.warnings.map((w) => `warning: ${w}`)])
}

/** What the partner's challenge says; undefined probe means it could not be reached (the error is the result). */
export async function probe(outbound: Outbound, name: string, path: string): Promise<ProbeResult | GatewayError> {
  try {
    return await outbound.probe(name, path)
  } catch (err) {
    if (err instanceof GatewayError) return err
    throw err
  }
}

export function describeFault(err: GatewayError, url: string): string {
  const fault = err.detail['fault']
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : ''
  return `${url} ${err.code === 'GW_OUTBOUND_TIMEOUT' ? 'did not answer in time' : 'is unreachable'}${typeof fault === 'string' ? `: ${fault}` : ''}${cause}`
}

export function checkChallenge(result: ProbeResult | GatewayError, url: string): StepResult {
  if (result instanceof GatewayError) return fail(describeFault(result, url))
  const c = result.challenge
  if (c === undefined) return skipped(`an empty bearer token got HTTP ${result.status} without a Bearer challenge; try --path with a protected resource`)
  return pass(`HTTP ${result.status}, realm ${c.realm ?? '(none)'}, client_id ${c.clientId ?? '(none)'}`, c.trustedIssuers === undefined ? [] : [`trusted_issuers: ${c.trustedIssuers.join(', ') || '(empty)'}`])
}

export function checkListsUs(result: ProbeResult | GatewayError, config: GatewayConfig, partner: PartnerConfig): StepResult {
  const us = `${config.service.id}@${partner.outbound?.issuerRealm ?? config.service.realm}`
  const issuers = result instanceof GatewayError ? undefined : result.challenge?.trustedIssuers
  if (issuers === undefined || issuers.length === 0) return skipped(`its challenge names no trusted issuers, so it cannot be checked (we sign as ${us})`)
  if (listsIssuer(issuers, config.service.id, partner.outbound?.issuerRealm ?? config.service.realm)) return pass(`trusted_issuers lists ${us}`)
  return fail(
    `trusted_issuers lists ${issuers.join(', ')} but not ${us}: register the gateway at the partner by its metadata URL (${config.service.metadataUrl}), or set outbound.issuerRealm to the realm the partner registered us under`,
  )
}

export async function checkMint(outbound: Outbound, name: string, path: string, nowMs: number): Promise<StepResult> {
  const { target, token } = await outbound.token(name, undefined, path)
  return pass(`aud ${target.audience}`, [
    `principal from ${target.principalFrom}, realm from ${target.realmFrom}`,
    `iss ${target.issuer}, signed with x5t ${token.x5t}`,
    `valid until ${showTime(token.exp * 1000, nowMs)}`,
  ])
}

/** Up to 2 KiB of a response body, for the failure message. */
async function readSome(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    total += chunk.length
    if (total >= 2048) break
  }
  response.destroy()
  return Buffer.concat(chunks).toString('utf8').slice(0, 2048)
}

/** Why the partner said no, from its challenge, x-ms-diagnostics and body. */
function rejectionLines(response: IncomingMessage, body: string): string[] {
  const lines: string[] = []
  const challenge = readBearerChallenge(response.headersDistinct['www-authenticate'])
  if (challenge?.error !== undefined) lines.push(`error ${challenge.error}${challenge.errorDescription === undefined ? '' : `: ${challenge.errorDescription}`}`)
  const diagnostics = response.headers['x-ms-diagnostics']
  if (diagnostics !== undefined) lines.push(`x-ms-diagnostics: ${String(diagnostics)}`)
  if (body.trim() !== '') lines.push(`body: ${body.trim().replace(/\s+/g, ' ').slice(0, 300)}`)
  return lines
}

export async function checkRequest(outbound: Outbound, name: string, path: string, user: UserClaims | undefined): Promise<StepResult> {
  const partner = outbound.partner(name)
  if (user !== undefined && partner?.outbound.actAsUsers !== true) return fail(`outbound.actAsUsers is not set for ${name}: calls on behalf of users get 403`)
  let result
  try {
    result = await outbound.call({
      partner: name, method: 'GET', pathAndQuery: path, headers: { accept: '*/*', 'user-agent': 's2s-gateway test-partner' }, user,
      body: { kind: 'buffer', data: Buffer.alloc(0), hadBody: false },
    })
  } catch (err) {
    if (err instanceof GatewayError && err.detail['fault'] !== undefined) return fail(describeFault(err, partner?.base.href ?? name))
    throw err
  }
  const status = result.response.statusCode ?? 0
  const body = await readSome(result.response)
  const what = `GET ${path} as ${user === undefined ? 'the application' : Object.values(user).join(' / ')} (${result.token.authType} token, aud ${result.target.audience})`
  const retried = result.retried ? ', after a challenge probe and one retry' : ''
  if (status >= 200 && status < 300) return pass(`${what}: HTTP ${status}${retried}`)
  if (status === 401 || status === 403) return fail(`the partner rejected our token: HTTP ${status} to ${what}${retried}`, rejectionLines(result.response, body))
  return fail(`HTTP ${status} to ${what}${retried}: choose a --path the partner serves with 2xx`, rejectionLines(result.response, body))
}
