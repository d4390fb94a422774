// Admin: GET /status, a small server-rendered HTML page (inline CSS, no scripts, no external assets) over the
// same StatusReport as /status.json. Every value is escaped by the html`` template.
import { ago, html, Html, span } from './html.js'
import { STATUS_CSS } from './status-css.js'
import { daysText, partnerTable, serverTable, trafficCell } from './status-partners.js'
import type { StatusReport } from './status-data.js'

/** Our own constant stylesheet: not escaped (entities are not decoded inside <style>). */
const TRUSTED_CSS = new Html(STATUS_CSS)

/** Seconds between automatic refreshes of the page. */
export const STATUS_REFRESH_SEC = 15

/** The worst partner health, or the gateway's own state, as the header pill. */
function overall(report: StatusReport): { health: string; text: string } {
  if (report.gateway.draining) return { health: 'loading', text: 'draining' }
  if (!report.gateway.ready) return { health: 'loading', text: 'starting' }
  const healths = new Set([...report.partners, ...report.authorizationServers].map((p) => p.health))
  if (healths.has('failing')) return { health: 'failing', text: 'partner failing' }
  if (healths.has('stale')) return { health: 'stale', text: 'partner stale' }
  if (report.certificates.some((c) => c.health !== 'healthy')) return { health: 'stale', text: 'certificate expiring' }
  return { health: 'healthy', text: 'healthy' }
}

function identity(report: StatusReport, now: number): Html {
  const g = report.gateway
  const aliases = g.realmAliases.length > 0 ? html` <span class="muted">(also ${g.realmAliases.join(', ')})</span>` : ''
  return html`<section id="identity"><h2>Identity</h2><dl>
<dt>Service id</dt><dd><code>${g.serviceId}</code></dd>
<dt>Realm</dt><dd>${g.realm}${aliases}</dd>
<dt>Public hosts</dt><dd>${g.publicHosts.join(', ')}</dd>
<dt>Metadata URL</dt><dd><code>${g.metadataUrl}</code></dd>
<dt>Version</dt><dd>${g.version} <span class="muted">(commit <code>${g.commit}</code>, node ${g.node})</span></dd>
<dt>Up since</dt><dd><span title="${g.startedAt}">${span(g.uptimeSec)}</span></dd>
<dt>Configuration</dt><dd>${configLine(report, now)}</dd>
</dl></section>`
}

function configLine(report: StatusReport, now: number): Html {
  const c = report.config
  const last = c.lastReload
  const lastText = last === null
    ? html`<span class="muted">no reload since start</span>`
    : html`last reload ${ago(last.at, now)} (${last.trigger}): <span class="${last.result === 'success' ? '' : 'rejected'}">${last.result}${last.problems > 0 ? ` (${last.problems} problems)` : ''}</span>`
  return html`loaded <span title="${c.loadedAt}">${ago(c.loadedAt, now)}</span>; ${c.successes} reloads, ${c.failures} refused; ${lastText}`
}

function certificates(report: StatusReport): Html {
  const rows = report.certificates.map((c) => html`<tr><td><code>${c.x5t}</code>${c.signing ? html` <span class="pill healthy">signing</span>` : ''}</td><td>${c.subject}</td><td title="${c.notAfter}">${c.notAfter.slice(0, 10)}</td><td><span class="days ${c.health}">${daysText(c)}</span></td></tr>`)
  return html`<section id="certificates"><h2>Our certificates</h2><table>
<thead><tr><th>x5t</th><th>Subject</th><th>Not after</th><th>Expiry</th></tr></thead><tbody>${rows}</tbody></table></section>`
}

export function renderStatusPage(report: StatusReport, now: number): string {
  const state = overall(report)
  const minutes = report.gateway.windowMinutes
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${STATUS_REFRESH_SEC}">
<title>${report.gateway.name}: s2s-gateway status</title><style>${TRUSTED_CSS}</style></head>
<body><header><h1>${report.gateway.name}</h1><span class="pill ${state.health}" id="overall" data-health="${state.health}">${state.text}</span>
<span class="sub">s2s-gateway · ${report.gateway.realm} · generated <span title="${report.generatedAt}">${report.generatedAt.slice(11, 19)} UTC</span></span></header>
<main>
<section id="traffic"><h2>All traffic, last ${minutes} min</h2>${trafficCell(report.traffic)}
<span class="muted"> · not attributable to a partner: ${report.unattributed.requests} requests, ${report.unattributed.rejections} rejected</span></section>
<section><h2>Partners</h2>${partnerTable(report, now)}</section>
${serverTable(report, now)}
${identity(report, now)}
${certificates(report)}
</main>
<footer>Refreshes every ${STATUS_REFRESH_SEC} s · <a href="status.json">status.json</a> · <a href="metrics">metrics</a> · <a href="readyz">readyz</a></footer>
</body></html>
`
  return page.text
}
