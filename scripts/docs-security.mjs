// `npm run docs` generator: merge the security suite's per-file reports (reports/security/*.json, one per test
// file, written from each file's afterAll by test/security/harness.ts) and the soak report (reports/soak.json)
// into reports/security.json, then copy the figures into README.md between `<!-- security:figures -->` and
// `<!-- /security:figures -->` inside the Security section. The prose around the figures is edited by hand.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const FIGURES = /<!-- security:figures -->[\s\S]*?<!-- \/security:figures -->/

const CATEGORY_TITLES = {
  signature: 'signature and algorithm',
  claims: 'claims',
  outer: 'outer (user-context) token',
  transport: 'transport',
  headers: 'identity and forwarding headers',
  paths: 'paths and public paths',
  http: 'HTTP framing, methods and upgrades',
  metadata: 'metadata poisoning',
  resource: 'resource exhaustion (aborts, floods)',
  outbound: 'outbound listener (calls to partners)',
  authz: 'authorization-server tokens',
  access: 'permissions and access.deny (spellings, overrides)',
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

const add = (a, b) => (a ?? 0) + (b ?? 0)

/**
 * Merge every per-file report whose test file still exists. Parts from files that were not part of the last
 * run keep their own timestamps, listed in `files`, so a partial run cannot pass for a full one unnoticed.
 */
export function mergeSecurityReports(root = ROOT) {
  const dir = join(root, 'reports', 'security')
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []
  const parts = names.map((f) => readJson(join(dir, f))).filter((p) => p !== undefined && existsSync(join(root, p.file)))
  const report = {
    generatedAt: new Date().toISOString(),
    files: parts.map((p) => ({ file: p.file, generatedAt: p.generatedAt })),
    attacks: { tried: 0, rejected: 0 },
    controls: { tried: 0, accepted: 0 },
    faults: { tried: 0, survived: 0 },
    categories: {},
    resources: {},
    soak: readJson(join(root, 'reports', 'soak.json')),
    failures: [],
  }
  for (const part of parts) {
    report.attacks.tried += part.attacks?.tried ?? 0
    report.attacks.rejected += part.attacks?.rejected ?? 0
    report.controls.tried += part.controls?.tried ?? 0
    report.controls.accepted += part.controls?.accepted ?? 0
    report.faults.tried += part.faults?.tried ?? 0
    report.faults.survived += part.faults?.survived ?? 0
    Object.assign(report.resources, part.resources ?? {})
    for (const c of part.cases ?? []) {
      if (c.kind === 'attack') {
        const cat = (report.categories[c.category] ??= { tried: 0, rejected: 0 })
        cat.tried = add(cat.tried, 1)
        cat.rejected = add(cat.rejected, c.ok ? 1 : 0)
      }
      if (!c.ok) report.failures.push(`${c.kind} ${c.category}: ${c.title}`)
    }
  }
  return report
}

/** Merge and write reports/security.json (write then rename, so a reader never sees half a file). */
export function writeMergedReport(root = ROOT) {
  const report = mergeSecurityReports(root)
  mkdirSync(join(root, 'reports'), { recursive: true })
  const target = join(root, 'reports', 'security.json')
  const tmp = `${target}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`)
  renameSync(tmp, target)
  return report
}

const mib = (bytes) => `${(bytes / 1_048_576).toFixed(1)} MiB`

function resourceLines(report) {
  const lines = []
  const aborts = report.resources.aborts
  if (aborts !== undefined) {
    lines.push(
      `- ${aborts.count.toLocaleString('en')} client aborts (half mid-request, half mid-response): open upstream sockets ` +
        `${aborts.socketsBaseline} before, ${aborts.socketsAfter} after; heap after a forced GC ${mib(aborts.heapBeforeBytes)} before, ` +
        `${mib(aborts.heapAfterBytes)} after (bound: +${mib(aborts.heapToleranceBytes)}).`,
    )
  }
  const flood = report.resources.flood
  if (flood !== undefined) {
    lines.push(
      `- ${flood.badTokens.toLocaleString('en')} distinct bad tokens and ${flood.unknownIssuers.toLocaleString('en')} unknown issuers: ` +
        `${flood.metadataFetches} metadata fetch(es) per partner per cooldown at most, heap after a forced GC ${mib(flood.heapBeforeBytes)} before, ${mib(flood.heapAfterBytes)} after.`,
    )
  }
  const soak = report.soak
  if (soak !== undefined) {
    lines.push(
      `- Soak (\`npm run soak -- --seconds ${soak.seconds}\`, ${soak.requests.toLocaleString('en')} requests of mixed traffic): ` +
        `RSS ${mib(soak.start.rss)} → ${mib(soak.end.rss)}, heap ${mib(soak.start.heapUsed)} → ${mib(soak.end.heapUsed)}, ` +
        `event-loop delay p99 ${soak.end.eventLoopDelayP99Ms} ms, open handles ${soak.start.handles} → ${soak.end.handles} ` +
        `(${soak.ok ? 'within' : 'OUTSIDE'} its bounds: heap +${mib(soak.bounds.heapGrowthBytes)}, handles +${soak.bounds.handleGrowth}).`,
    )
  }
  return lines
}

/** The markdown between the figures markers. */
export function renderFigures(report) {
  const rows = Object.entries(report.categories)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cat, t]) => `| &nbsp;&nbsp;${CATEGORY_TITLES[cat] ?? cat} | ${t.tried} | ${t.rejected} |`)
  const day = report.generatedAt.slice(0, 10)
  return [
    '<!-- security:figures -->',
    '| Black-box suite (`test/security/`, real gateway on 127.0.0.1) | tried | refused or neutralised |',
    '|---|---:|---:|',
    `| **Attacks** | **${report.attacks.tried}** | **${report.attacks.rejected}** |`,
    ...rows,
    `| Positive controls (legitimate forms, correctly signed): accepted | ${report.controls.tried} | ${report.controls.accepted} accepted |`,
    `| Faults injected (backend, metadata, DNS, clock): survived | ${report.faults.tried} | ${report.faults.survived} survived |`,
    '',
    ...resourceLines(report),
    '',
    `_Figures from reports/security.json, ${report.files.length} report file(s), generated ${day} by \`npm run docs\`._`,
    '<!-- /security:figures -->',
  ].join('\n')
}

export default async function docsSecurity(root = ROOT) {
  const report = writeMergedReport(root)
  if (report.files.length === 0) throw new Error('no security reports in reports/security/: run `npx vitest run test/security` first')
  const readmePath = join(root, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  if (!FIGURES.test(readme)) throw new Error('README.md has no <!-- security:figures --> block in its Security section')
  writeFileSync(readmePath, readme.replace(FIGURES, renderFigures(report)))
}
