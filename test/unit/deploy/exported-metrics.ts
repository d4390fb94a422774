// Test helper: the metric names the gateway exports, read from a real gateway's GET /metrics (its `# TYPE`
// lines), so deploy/ is checked against the code rather than against a list that can drift from it.
import { startTestGateway } from '../../helpers/gateway.js'

/** Metric name -> Prometheus type (counter, gauge, histogram, summary, untyped). */
export type ExportedMetrics = ReadonlyMap<string, string>

/** `# TYPE <name> <type>` lines of a Prometheus text exposition. */
export function parseTypeLines(text: string): Map<string, string> {
  const types = new Map<string, string>()
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1] as string, match[2] as string)
  return types
}

/** Start the real gateway on loopback, scrape its admin /metrics, stop it. */
export async function readExportedMetrics(): Promise<ExportedMetrics> {
  // Nothing is proxied: the upstream (the discard port) is never called.
  const gateway = await startTestGateway('http://127.0.0.1:9')
  try {
    const res = await fetch(`${gateway.adminUrl}/metrics`)
    if (!res.ok) throw new Error(`GET /metrics on the admin listener answered ${res.status}`)
    const types = parseTypeLines(await res.text())
    if (types.size === 0) throw new Error('GET /metrics has no # TYPE lines')
    return types
  } finally {
    await gateway.close()
  }
}

/** A name a query may use: an exported metric, or a histogram's (summary's) _bucket/_sum/_count series. */
export function isExported(name: string, types: ExportedMetrics): boolean {
  if (types.has(name)) return true
  const match = /^(.+)_(bucket|sum|count)$/.exec(name)
  if (match === null) return false
  const type = types.get(match[1] as string)
  return type === 'histogram' || (type === 'summary' && match[2] !== 'bucket')
}
