// Config: checks of `partners`, who we trust. Identity rules (names, application ids, realms) are here; where
// keys come from (metadata URL and its TLS, or certificate files) is in check-partner-keys.ts.
import type { GatewayConfig, PartnerConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'
import { labelProblem, principalPartProblem } from './hosts.js'
import { checkPartnerCertificates, checkPartnerMetadataSource } from './check-partner-keys.js'
import type { PartnerCheckContext } from './check-partner-keys.js'

export function checkPartners(config: GatewayConfig, ctx: PartnerCheckContext): void {
  const names = new Map<string, number>()
  const applicationIds = new Map<string, number>()
  config.partners.forEach((partner, i) => {
    const path = `partners[${i}]`
    if (ctx.out.isInvalid(path)) return
    checkName(partner.name, i, names, ctx.out)
    checkSourceChoice(partner, path, ctx.out)
    checkIdentity(partner, path, ctx)
    if (partner.applicationId !== undefined && !ctx.out.isInvalid(`${path}.applicationId`)) {
      // Self-issuing partners and each authorization server's partners are looked up separately, so on-prem
      // Exchange (self-issued) and Exchange Online (through ACS) may share 00000002-… (hybrid).
      const scope = `${partner.authorizationServer ?? ''}\n${partner.applicationId}`
      const first = applicationIds.get(scope)
      if (first !== undefined) ctx.out.problem(`${path}.applicationId`, `is also the applicationId of partners[${first}]`)
      else applicationIds.set(scope, i)
    }
    if (partner.metadataUrl !== undefined) checkPartnerMetadataSource(partner, path, ctx.out)
    if (partner.certificates !== undefined) checkPartnerCertificates(partner, path, ctx)
  })
}

function checkName(name: string, i: number, seen: Map<string, number>, out: ProblemCollector): void {
  const path = `partners[${i}].name`
  if (out.isInvalid(path)) return
  const problem = labelProblem(name)
  if (problem !== undefined) return out.problem(path, problem)
  const first = seen.get(name)
  if (first !== undefined) return out.problem(path, `repeats the name of partners[${first}]`)
  seen.set(name, i)
}

function checkSourceChoice(partner: PartnerConfig, path: string, out: ProblemCollector): void {
  const given = (['metadataUrl', 'certificates', 'authorizationServer'] as const).filter((key) => partner[key] !== undefined)
  if (given.length > 1) out.problem(path, `give exactly one of metadataUrl, certificates or authorizationServer, not ${given.join(' and ')}`)
  if (given.length === 0) out.problem(path, 'needs a metadataUrl, certificates or authorizationServer')
  // Without a document, nothing else says who signs with these certificates (or who the server's tokens name).
  const what = partner.certificates !== undefined ? 'certificates are given' : partner.authorizationServer !== undefined ? 'authorizationServer is given' : undefined
  if (what !== undefined && given.length === 1) {
    if (partner.applicationId === undefined) out.problem(`${path}.applicationId`, `is required when ${what}`)
    if (partner.realm === undefined) out.problem(`${path}.realm`, `is required when ${what}${partner.authorizationServer !== undefined ? ' ("*" for any of our realms)' : ''}`)
  }
}

/** applicationId and realm: stored lowercase (compared case-insensitively, docs/PROTOCOL.md §4). */
function checkIdentity(partner: PartnerConfig, path: string, ctx: PartnerCheckContext): void {
  if (partner.applicationId !== undefined) {
    const at = `${path}.applicationId`
    const problem = principalPartProblem(partner.applicationId, 'an application id')
    if (problem !== undefined) ctx.out.problem(at, problem)
    partner.applicationId = partner.applicationId.toLowerCase()
    if (problem === undefined && partner.applicationId === ctx.serviceId) {
      ctx.out.problem(at, 'is our own service.id: the gateway accepts no token from itself')
    }
  }
  if (partner.realm !== undefined && partner.realm !== '*') {
    const problem = principalPartProblem(partner.realm, 'a realm')
    if (problem !== undefined) ctx.out.problem(`${path}.realm`, `${problem} (or be "*")`)
    partner.realm = partner.realm.toLowerCase()
  }
}
