// Admin: the partner table of the status page: one row per registered partner, coloured by key health, with
// its metadata source, last fetch, keys, certificates and the requests and rejections of the last minutes.
import { ago, html, span, sparkline, type Html } from './html.js'
import type { CertificateStatus, PartnerStatus, StatusReport, TrafficStatus } from './status-data.js'

const HEALTH_TEXT: Record<string, string> = { healthy: 'healthy', stale: 'stale', failing: 'failing', loading: 'loading' }

/** A partner's key columns, or an authorization server's (it has the same shape). */
type KeyHolder = Pick<PartnerStatus, 'lastFetch' | 'keysAgeSec' | 'keys' | 'source'> & { registration?: PartnerStatus['registration'] }

function lastFetchCell(p: KeyHolder, now: number): Html {
  if (p.registration === 'certificates') return html`<span class="muted">certificate files</span>`
  if (p.lastFetch === null) return html`<span class="muted">not yet</span>`
  const result = p.lastFetch.ok ? html`<span>ok</span>` : html`<span class="rejected">failed: <code>${p.lastFetch.error ?? 'error'}</code>${p.lastFetch.detail === null ? '' : ` ${p.lastFetch.detail}`}</span>`
  return html`<span title="${p.lastFetch.at}">${ago(p.lastFetch.at, now)}</span><br>${result}`
}

function keysCell(p: KeyHolder): Html {
  if (p.keysAgeSec === null) return html`<span class="rejected">none usable</span>`
  if (p.source !== null) return html`${p.keys}<br><span class="stale-note">${p.source}</span>`
  const age = p.registration !== 'certificates' ? html`<br><span class="muted">fetched ${span(p.keysAgeSec)} ago</span>` : ''
  return html`${p.keys}${age}`
}

export function certificateList(certs: readonly CertificateStatus[]): Html {
  if (certs.length === 0) return html`<span class="muted">none</span>`
  return html`${certs.map((c) => html`<div><code title="${c.subject}">${c.x5t}</code> <span class="days ${c.health}" title="${c.notAfter}">${daysText(c)}</span></div>`)}`
}

export function daysText(c: CertificateStatus): string {
  if (c.health === 'expired') return 'expired'
  return c.daysToExpiry === 1 ? '1 day left' : `${c.daysToExpiry} days left`
}

export function trafficCell(t: TrafficStatus): Html {
  const rejected = t.rejections > 0 ? html`<span class="rejected">${t.rejections} rejected</span>` : html`<span class="muted">0 rejected</span>`
  return html`${sparkline(t.perMinute, t.rejectionsPerMinute)}<br>${t.requests} requests, ${rejected}`
}

/** "limits: 50/s, burst 100, 20 at once · 3 in flight", or nothing for a partner without limits. */
export function limitsLine(p: Pick<PartnerStatus, 'limits' | 'inFlight'>): Html {
  if (p.limits === null) return html``
  const parts = [
    p.limits.ratePerSec === null ? undefined : `${p.limits.ratePerSec}/s, burst ${p.limits.burst ?? p.limits.ratePerSec}`,
    p.limits.maxConcurrent === null ? undefined : `${p.limits.maxConcurrent} at once`,
  ].filter((x) => x !== undefined)
  return html`<br><span class="muted" data-role="limits">limits: ${parts.join(', ')} · ${p.inFlight} in flight</span>`
}

/** Issue 10: what the partner may call, and how often the rules said no. */
function accessCell(p: PartnerStatus): Html {
  const names = p.permissions === null ? html`<span class="muted">permissions: unrestricted</span>`
    : p.permissions.length === 0 ? html`<span class="muted">permissions: none</span>`
    : html`<span class="muted">permissions:</span> ${p.permissions.map((n, i) => html`${i > 0 ? ', ' : ''}<code>${n}</code>`)}`
  const shadow = p.accessShadowDenied > 0 ? html`, <span data-role="shadow-denied">${p.accessShadowDenied} would be denied</span>` : ''
  return html`<span data-role="permissions">${names}</span><br><span class="muted" data-role="denied">${p.accessDenied} denied</span>${shadow}`
}

function partnerRow(p: PartnerStatus, now: number): Html {
  const pill = html`<td><span class="pill" data-role="health">${HEALTH_TEXT[p.health] ?? p.health}</span></td>`
  const name = html`<td><strong>${p.name}</strong><br><span class="muted">trust: ${p.trustLevel}</span>${limitsLine(p)}<br>${accessCell(p)}</td>`
  const row = (cells: Html) => html`<tr class="partner ${p.health}" data-partner="${p.name}" data-health="${p.health}">${name}${pill}${cells}<td>${trafficCell(p.traffic)}</td></tr>`
  if (p.authorizationServer !== null) {
    return row(html`<td colspan="4"><span class="muted">tokens from authorization server</span> <strong>${p.authorizationServer}</strong></td>`)
  }
  const source = p.metadataUrl === null ? html`<span class="muted">certificate files</span>` : html`<code>${p.metadataUrl}</code>`
  return row(html`<td>${source}</td><td>${lastFetchCell(p, now)}</td><td>${keysCell(p)}</td><td>${certificateList(p.certificates)}</td>`)
}

/** Authorization servers (issue 7): their metadata keys, shown like a metadata partner's. */
export function serverTable(report: StatusReport, now: number): Html {
  if (report.authorizationServers.length === 0) return html``
  const rows = report.authorizationServers.map((s) => html`<tr class="partner ${s.health}" data-server="${s.name}" data-health="${s.health}">
<td><strong>${s.name}</strong><br><span class="muted">${s.issuer ?? 'issuer not known yet'}</span></td>
<td><span class="pill" data-role="health">${HEALTH_TEXT[s.health] ?? s.health}</span></td>
<td><code>${s.metadataUrl}</code></td><td>${lastFetchCell(s, now)}</td><td>${keysCell(s)}</td><td>${certificateList(s.certificates)}</td></tr>`)
  return html`<section id="authorization-servers"><h2>Authorization servers</h2><table>
<thead><tr><th>Server</th><th>Health</th><th>Metadata</th><th>Last fetch</th><th>Keys</th><th>Certificates</th></tr></thead>
<tbody>${rows}</tbody></table></section>`
}

export function partnerTable(report: StatusReport, now: number): Html {
  const minutes = report.gateway.windowMinutes
  if (report.partners.length === 0) return html`<p class="muted">No partners are registered.</p>`
  return html`<table id="partners">
<thead><tr><th>Partner</th><th>Health</th><th>Metadata</th><th>Last fetch</th><th>Keys</th><th>Certificates</th><th>Last ${minutes} min</th></tr></thead>
<tbody>${report.partners.map((p) => partnerRow(p, now))}</tbody>
</table>`
}
