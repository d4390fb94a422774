// CLI: how partner and certificate facts are printed by `partner add`, `partner list` and `test-partner`:
// times as ISO dates with a relative hint, certificates with subject, x5t, thumbprint and validity.
import { x5tToThumbprint } from '../certs/index.js'
import { EXPIRY_WARNING_DAYS } from '../config/index.js'
import type { PartnerConfig } from '../schema/index.js'
import type { SigningKey } from '../certs/index.js'
import { writeLine, type Writer } from './io.js'

/** Renew when fewer days than this remain: the loader warns then, and test-partner fails our own certificate. */
export const NEAR_EXPIRY_DAYS = EXPIRY_WARNING_DAYS

const DAY_MS = 86_400_000

/** "in 3 days", "5 min ago": a rough, human reading of a time relative to now. */
export function relativeTime(atMs: number, nowMs: number): string {
  const delta = atMs - nowMs
  const abs = Math.abs(delta)
  const [value, unit] =
    abs < 120_000 ? [Math.round(abs / 1000), 's'] : abs < 7_200_000 ? [Math.round(abs / 60_000), 'min'] : abs < 2 * DAY_MS ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / DAY_MS), 'days']
  return delta >= 0 ? `in ${value} ${unit}` : `${value} ${unit} ago`
}

/** ISO date-time (no milliseconds) plus the relative hint. */
export function showTime(atMs: number, nowMs: number): string {
  return `${new Date(atMs).toISOString().replace('.000Z', 'Z')} (${relativeTime(atMs, nowMs)})`
}

/** 'valid', 'EXPIRED', 'NOT YET VALID' or 'expires soon'. */
export function validityOf(key: Pick<SigningKey, 'notBefore' | 'notAfter'>, nowMs: number): string {
  if (key.notAfter <= nowMs) return 'EXPIRED'
  if (key.notBefore > nowMs) return 'NOT YET VALID'
  return key.notAfter - nowMs < NEAR_EXPIRY_DAYS * DAY_MS ? 'expires soon' : 'valid'
}

export function writeCertificate(out: Writer, key: SigningKey, nowMs: number, indent = '  '): void {
  writeLine(out, `${indent}certificate ${key.subject || '(no subject)'}`)
  writeLine(out, `${indent}  x5t         ${key.x5t}  (thumbprint ${x5tToThumbprint(key.x5t)})`)
  writeLine(out, `${indent}  valid from  ${showTime(key.notBefore, nowMs)}`)
  writeLine(out, `${indent}  valid until ${showTime(key.notAfter, nowMs)}  ${validityOf(key, nowMs)}`)
}

/** One line per partner for `partner list`. */
export function partnerSummary(p: PartnerConfig): string[] {
  const source =
    p.authorizationServer !== undefined ? `authorization server ${p.authorizationServer}` : (p.metadataUrl ?? `${p.certificates?.length ?? 0} certificate file(s)`)
  const issuer = p.applicationId === undefined ? '(named by its document)' : `${p.applicationId}@${p.realm ?? '(realm from its document)'}`
  const outbound = p.outbound === undefined ? 'inbound only' : `outbound ${p.outbound.url}${p.outbound.actAsUsers ? ' (acts as users)' : ''}`
  return [p.name, `  issuer ${issuer}, trust ${p.trustLevel}`, `  keys from ${source}`, `  ${outbound}`]
}
