// Config: what a reload changed, for the audit line: partners added, removed or changed (by name), and whether
// the listen addresses changed (those need a restart; TLS files and the outbound secret do not). Names only,
// never values: a config holds secrets.
import type { GatewayConfig } from '../schema/index.js'

export interface ConfigChanges {
  listenChanged: boolean
  /** access.mode, caseInsensitivePaths or deny changed (issue 10); partners' permissions show as a changed partner. */
  accessChanged: boolean
  partners: { added: string[]; removed: string[]; changed: string[] }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * What only a restart changes: where each listener binds, whether it exists, and whether inbound serves TLS.
 * The TLS files (reloaded: lifecycle/build-gateway.ts) and the outbound shared secret (read per call) take effect at once.
 */
function bindings(listen: GatewayConfig['listen']): unknown {
  const at = (l: { host: string; port: number } | undefined) => (l === undefined ? null : [l.host, l.port])
  return [at(listen.inbound), listen.inbound.tls !== undefined, at(listen.admin), at(listen.outbound), at(listen.forwardAuth)]
}

export function describeChanges(before: GatewayConfig, after: GatewayConfig): ConfigChanges {
  const old = new Map(before.partners.map((p) => [p.name, p]))
  const next = new Map(after.partners.map((p) => [p.name, p]))
  return {
    listenChanged: !same(bindings(before.listen), bindings(after.listen)),
    accessChanged: !same(before.access, after.access),
    partners: {
      added: [...next.keys()].filter((name) => !old.has(name)),
      removed: [...old.keys()].filter((name) => !next.has(name)),
      changed: [...next.entries()].filter(([name, p]) => old.has(name) && !same(old.get(name), p)).map(([name]) => name),
    },
  }
}
