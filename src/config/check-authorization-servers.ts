// Config: checks of `authorizationServers` (issue 7, docs/PROTOCOL.md §6) and of the partners that name one: names,
// metadata URL and TLS (the rules of a partner's metadataUrl), authorization_uri, and what such a partner needs.
import type { GatewayConfig, PartnerConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'
import { checkPartnerMetadataSource } from './check-partner-keys.js'
import { isLoopbackHost } from '../net/index.js'
import { labelProblem } from './hosts.js'

/** authorization_uri goes between quotes in our challenge: nothing that would need escaping there (RFC 9110 §11.2). */
const CHALLENGE_SAFE = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/

export function checkAuthorizationServers(config: GatewayConfig, out: ProblemCollector): void {
  const names = new Map<string, number>()
  config.authorizationServers.forEach((server, i) => {
    const path = `authorizationServers[${i}]`
    if (out.isInvalid(path)) return
    if (!out.isInvalid(`${path}.name`)) {
      // Recorded even when malformed, so partners naming it get no second, consequential problem.
      const first = names.get(server.name)
      const problem = labelProblem(server.name)
      if (problem !== undefined) out.problem(`${path}.name`, problem)
      else if (first !== undefined) out.problem(`${path}.name`, `repeats the name of authorizationServers[${first}]`)
      if (first === undefined) names.set(server.name, i)
    }
    if (!out.isInvalid(`${path}.metadataUrl`)) checkPartnerMetadataSource(server, path, out)
    if (server.authorizationUri !== undefined && !out.isInvalid(`${path}.authorizationUri`)) {
      const problem = authorizationUriProblem(server.authorizationUri)
      if (problem !== undefined) out.problem(`${path}.authorizationUri`, problem)
    }
    if (!config.partners.some((p) => p.authorizationServer === server.name)) {
      out.warn(path, `no partner names "${server.name}" in authorizationServer: none of its tokens is accepted`)
    }
  })
  const unnamed = config.authorizationServers.some((_, i) => out.isInvalid(`authorizationServers[${i}].name`))
  config.partners.forEach((partner, i) => {
    if (partner.authorizationServer !== undefined && !out.isInvalid(`partners[${i}]`)) checkPartnerUsingServer(partner, `partners[${i}]`, names, unnamed, out)
  })
}

/** `unnamed`: some server's name is missing or not a string, so it may be the one this partner means. */
function checkPartnerUsingServer(partner: PartnerConfig, path: string, names: ReadonlyMap<string, number>, unnamed: boolean, out: ProblemCollector): void {
  const name = partner.authorizationServer ?? ''
  if (!names.has(name) && !unnamed) {
    const known = [...names.keys()].join(', ') || 'none'
    out.problem(`${path}.authorizationServer`, `names no authorizationServers entry (configured: ${known})`)
  }
  if (partner.allowHttp || partner.tls.caFile !== undefined || partner.tls.insecureSkipVerify) {
    out.warn(path, "allowHttp and tls apply only to a metadataUrl; ignored (the authorization server's own apply)")
  }
  if (partner.outbound?.actAsUsers === true) {
    out.problem(`${path}.outbound.actAsUsers`, 'calls on behalf of users through an authorization server are not supported in this version; remove it')
  }
}

function authorizationUriProblem(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'must be an absolute https URL'
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) return 'must be https'
  if (url.username !== '' || url.password !== '') return 'must not contain credentials'
  if (!CHALLENGE_SAFE.test(text)) return 'must not contain quotes, backslashes, commas or whitespace (it is quoted in the challenge)'
  return undefined
}
