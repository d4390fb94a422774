// Config: where a partner's keys come from. A metadata URL (https, or http only for loopback with allowHttp;
// its TLS options), or certificate files parsed exactly as partners/ will parse them.
import type { PartnerConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'
import { isLoopbackHost } from '../net/index.js'
import { checkCaBundle, loadCertificateFile, warnAboutValidity } from './files.js'

/** Also used for authorizationServers entries, which share these three keys. */
export interface PartnerCheckContext {
  out: ProblemCollector
  nowMs: number
  serviceId: string
  /** x5t of every issuer certificate: the gateway accepts no token signed with its own key (docs/PROTOCOL.md §7.1). */
  ownX5ts: ReadonlySet<string>
}

export function checkPartnerMetadataSource(partner: Pick<PartnerConfig, 'metadataUrl' | 'allowHttp' | 'tls'>, path: string, out: ProblemCollector): void {
  const at = `${path}.metadataUrl`
  const url = parseUrl(partner.metadataUrl ?? '')
  const problem = metadataUrlProblem(url, partner.allowHttp)
  if (problem !== undefined) out.problem(at, problem)
  if (partner.tls.caFile !== undefined) checkCaBundle(partner.tls.caFile, `${path}.tls.caFile`, out)
  if (partner.tls.insecureSkipVerify) {
    out.warn(`${path}.tls.insecureSkipVerify`, `the TLS certificate of ${url?.host ?? 'the metadata host'} is not verified`)
  }
}

export function checkPartnerCertificates(partner: PartnerConfig, path: string, ctx: PartnerCheckContext): void {
  if (partner.allowHttp || partner.tls.caFile !== undefined || partner.tls.insecureSkipVerify) {
    ctx.out.warn(path, 'allowHttp and tls apply only to a metadataUrl; ignored')
  }
  ;(partner.certificates ?? []).forEach((file, i) => {
    const at = `${path}.certificates[${i}]`
    const key = loadCertificateFile(file, at, ctx.out)
    if (key === undefined) return
    if (ctx.ownX5ts.has(key.x5t)) {
      return ctx.out.problem(at, `${file} is the gateway's own issuer certificate; tokens signed with it are never accepted`)
    }
    warnAboutValidity(key, at, ctx.nowMs, ctx.out, 'ask the partner for its current certificate')
  })
}

function metadataUrlProblem(url: URL | undefined, allowHttp: boolean): string | undefined {
  if (url === undefined) return 'must be an absolute https URL'
  if (url.username !== '' || url.password !== '') return 'must not contain credentials'
  if (url.hash !== '') return 'must not contain a fragment'
  if (url.protocol === 'https:') return undefined
  if (url.protocol !== 'http:') return 'must be https'
  if (!allowHttp) return 'must be https (or set allowHttp for a loopback host)'
  return isLoopbackHost(url.hostname) ? undefined : 'may be http only for a loopback host (127.0.0.0/8, ::1, localhost)'
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}
