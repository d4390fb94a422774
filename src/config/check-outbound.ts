// Config: checks of the outbound side (issue 3): listen.outbound (never an open relay off loopback) and each
// partner's `outbound` section. Fills in the computed defaults (audienceHost, issuerRealm) so outbound/ and
// issuer/ read final values.
import type { GatewayConfig, PartnerOutboundConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'
import { isLoopbackHost } from '../net/index.js'
import { normalizeAuthority, principalPartProblem } from './hosts.js'
import { checkCaBundle } from './files.js'
import { checkListenHost, clashes } from './check-network.js'

/** Shorter shared secrets are refused: the listener may face a network. */
export const MIN_SHARED_SECRET_CHARS = 16

export function checkOutbound(config: GatewayConfig, out: ProblemCollector): void {
  config.partners.forEach((partner, i) => {
    const path = `partners[${i}].outbound`
    if (partner.outbound !== undefined && !out.isInvalid(path)) checkPartnerOutbound(partner.outbound, path, config.service, out)
  })
  const listen = config.listen.outbound
  if (listen !== undefined && !out.isInvalid('listen.outbound')) checkOutboundListen(config, listen, out)
}

function checkOutboundListen(config: GatewayConfig, listen: NonNullable<GatewayConfig['listen']['outbound']>, out: ProblemCollector): void {
  const at = 'listen.outbound'
  checkListenHost(listen.host, `${at}.host`, out)
  const secret = listen.sharedSecret
  if (secret !== undefined && secret.length < MIN_SHARED_SECRET_CHARS) {
    out.problem(`${at}.sharedSecret`, `must be at least ${MIN_SHARED_SECRET_CHARS} characters`)
  } else if (secret !== undefined && (secret.trim() !== secret || /[\x00-\x1f\x7f]/.test(secret))) {
    // HTTP drops leading and trailing whitespace from header values and cannot carry control characters, so
    // such a secret (a file's trailing newline, read through ${NAME}) would refuse every call with 403.
    out.problem(`${at}.sharedSecret`, 'must not start or end with whitespace or contain control characters (the value is not shown)')
  }
  if (secret === undefined && !isLoopbackHost(listen.host)) {
    // The listener signs whatever it is sent with our certificate: off loopback, anyone could call partners as us.
    out.problem(`${at}.host`, `${listen.host} is not loopback: set listen.outbound.sharedSecret (callers send it in x-s2s-outbound-secret)`)
  }
  for (const other of ['inbound', 'admin'] as const) {
    if (clashes(listen, config.listen[other])) out.problem(`${at}.port`, `${listen.port} is also the port of listen.${other}`)
  }
  if (!config.partners.some((p) => p.outbound !== undefined)) {
    out.warn(at, 'no partner has an outbound section: every call will get 404')
  }
}

function checkPartnerOutbound(
  outbound: PartnerOutboundConfig,
  path: string,
  service: GatewayConfig['service'],
  out: ProblemCollector,
): void {
  const url = out.isInvalid(`${path}.url`) ? undefined : checkUrl(outbound.url, `${path}.url`, out)
  const given = outbound.audienceHost as string | undefined
  if (given !== undefined) {
    const normalized = normalizeAuthority(given)
    if (!normalized.ok) out.problem(`${path}.audienceHost`, normalized.message)
    else outbound.audienceHost = normalized.value
  } else {
    const normalized = url === undefined ? undefined : normalizeAuthority(url.host)
    outbound.audienceHost = normalized?.ok === true ? normalized.value : ''
  }
  const realm = outbound.issuerRealm as string | undefined
  if (realm === undefined) {
    outbound.issuerRealm = service.realm
  } else {
    const problem = realm === '*' ? 'must be a concrete realm, not "*"' : principalPartProblem(realm, 'a realm')
    if (problem !== undefined) out.problem(`${path}.issuerRealm`, problem)
    outbound.issuerRealm = realm.toLowerCase()
  }
  if (outbound.caFile !== undefined) checkCaBundle(outbound.caFile, `${path}.caFile`, out)
}

/** https, or http for a loopback host (our bearer tokens never cross a network in clear); no credentials. */
function checkUrl(text: string, at: string, out: ProblemCollector): URL | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return void out.problem(at, 'must be an absolute https URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return void out.problem(at, 'must be https')
  if (url.username !== '' || url.password !== '') return void out.problem(at, 'must not contain credentials')
  if (url.search !== '' || url.hash !== '') return void out.problem(at, 'must not contain a query or fragment')
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return void out.problem(at, 'must be https (http only for a loopback host: our tokens would travel in clear)')
  }
  return url
}
