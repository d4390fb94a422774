// Config: semantic checks of `service`, our identity. Normalises in place what partners compare against:
// lowercase id and realms (docs/PROTOCOL.md §1.7, §7.6), publicHosts as aud authorities (§7.5), the metadata URL.
import type { GatewayConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'
import { normalizeAuthority, principalPartProblem } from './hosts.js'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isGuid(value: string): boolean {
  return GUID.test(value)
}

export function checkService(service: GatewayConfig['service'], out: ProblemCollector): void {
  if (!isGuid(service.id)) out.problem('service.id', 'must be a GUID, e.g. 5f1c9a3e-7b2d-4c8e-9f10-112233445566')
  service.id = service.id.toLowerCase()

  const realmProblem = (realm: string): string | undefined =>
    realm === '*' ? 'must be a concrete realm, not "*"' : principalPartProblem(realm, 'a realm')
  const problem = realmProblem(service.realm)
  if (problem !== undefined) out.problem('service.realm', problem)
  service.realm = service.realm.toLowerCase()

  const aliases: string[] = []
  service.realmAliases.forEach((alias, i) => {
    const path = `service.realmAliases[${i}]`
    const aliasProblem = realmProblem(alias)
    if (aliasProblem !== undefined) return out.problem(path, aliasProblem)
    const lower = alias.toLowerCase()
    if (lower === service.realm || aliases.includes(lower)) return out.warn(path, `repeats realm ${lower}, ignored`)
    aliases.push(lower)
  })
  service.realmAliases = aliases

  const hosts: string[] = []
  service.publicHosts.forEach((host, i) => {
    const path = `service.publicHosts[${i}]`
    if (out.isInvalid(path)) return
    const normalized = normalizeAuthority(host)
    if (!normalized.ok) return out.problem(path, normalized.message)
    if (hosts.includes(normalized.value)) return out.warn(path, `repeats ${normalized.value}, ignored`)
    hosts.push(normalized.value)
  })
  service.publicHosts = hosts

  if (service.metadataUrl === undefined || service.metadataUrl === '') {
    service.metadataUrl = hosts[0] === undefined ? '' : `https://${hosts[0]}/metadata/json/1`
  } else {
    checkMetadataUrl(service.metadataUrl, out)
  }
}

function checkMetadataUrl(text: string, out: ProblemCollector): void {
  const path = 'service.metadataUrl'
  if (out.isInvalid(path)) return
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return out.problem(path, 'must be an absolute https URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return out.problem(path, 'must be an https URL')
  if (url.username !== '' || url.password !== '') return out.problem(path, 'must not contain credentials')
  if (url.hash !== '') return out.problem(path, 'must not contain a fragment')
  if (url.protocol === 'http:') out.warn(path, 'is http: partners fetch our keys without TLS')
  // Exchange classifies metadata URLs by substring (docs/PROTOCOL.md §1.1): without it, it will not read ours as S2S JSON.
  if (!text.includes('metadata/json/1')) out.warn(path, 'does not contain metadata/json/1; Exchange will not recognise it')
}
