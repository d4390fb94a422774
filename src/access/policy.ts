// Access: one configuration's access rules, compiled once (issue 10). Lives in the per-configuration Runtime,
// so a reload brings new rules for the next request and requests in flight keep the ones they started with.
import type { AccessConfig, PartnerConfig, PermissionConfig } from '../schema/index.js'
import { compilePattern, type CompiledPattern } from './pattern.js'
import { methodsOfRight } from './rights.js'
import { compileUserPattern, type UserPattern } from './users.js'

export type DenyReason = 'permission' | 'denied_path'

export interface AccessDecision {
  allowed: boolean
  /** Why it was refused (log `reason`). */
  reason: DenyReason | undefined
  /** The permission that allowed it; undefined for a partner without permissions. */
  permission: string | undefined
  /** The access.deny entry that refused it. */
  deny: string | undefined
}

export type CallType = 'app' | 'user'
export type CallsOption = PermissionConfig['calls']

/** A permission or a deny entry, ready to match. `methods` undefined: every method. */
export interface CompiledEntry {
  readonly name: string
  readonly patterns: readonly CompiledPattern[]
  readonly methods: ReadonlySet<string> | undefined
  readonly calls: CallsOption
  /** User calls only, when set. */
  readonly users: readonly UserPattern[] | undefined
  /** The decision when this entry decides, built once (no allocation per request). */
  readonly decision: AccessDecision
}

export interface CompiledPolicy {
  readonly mode: AccessConfig['mode']
  readonly caseInsensitivePaths: boolean
  readonly deny: readonly CompiledEntry[]
  /** A partner absent from the map has no `permissions`: unrestricted except by `deny`. */
  readonly partners: ReadonlyMap<string, readonly CompiledEntry[]>
}

function compileEntry(
  entry: { name: string; paths: readonly string[]; right?: PermissionConfig['right']; methods?: readonly string[]; calls?: CallsOption; users?: readonly string[] },
  fold: boolean,
  kind: 'permission' | 'deny',
): CompiledEntry {
  const methods = entry.right !== undefined ? methodsOfRight(entry.right) : entry.methods === undefined ? undefined : new Set(entry.methods)
  return {
    name: entry.name,
    patterns: entry.paths.map((p) => compilePattern(p, fold)),
    methods,
    calls: entry.users !== undefined && (entry.calls ?? 'any') === 'any' ? 'user' : (entry.calls ?? 'any'),
    users: entry.users?.map(compileUserPattern),
    decision: Object.freeze(kind === 'permission'
      ? { allowed: true, reason: undefined, permission: entry.name, deny: undefined }
      : { allowed: false, reason: 'denied_path', permission: undefined, deny: entry.name }),
  }
}

/** Compile the (already checked) access section and every partner's permissions. */
export function compilePolicy(access: AccessConfig, partners: readonly Pick<PartnerConfig, 'name' | 'permissions'>[]): CompiledPolicy {
  const fold = access.caseInsensitivePaths
  const byPartner = new Map<string, readonly CompiledEntry[]>()
  for (const partner of partners) {
    if (partner.permissions !== undefined) byPartner.set(partner.name, partner.permissions.map((p) => compileEntry(p, fold, 'permission')))
  }
  return {
    mode: access.mode,
    caseInsensitivePaths: fold,
    deny: access.deny.map((d) => compileEntry(d, fold, 'deny')),
    partners: byPartner,
  }
}
