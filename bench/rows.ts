// Bench: what is measured. Every row is one process under test driven by the same load; gateway rows differ by
// scenario (which token pool, which cache size). Targets are ratios to the bare proxy of the same run (issue 6 §2).
import type { AccessDenyConfig, PermissionConfig } from '../src/schema/types.js'
import type { TokenPools } from './tokens.js'

export type RowKind = 'bare' | 'bare-undici' | 'bare-outbound' | 'gateway' | 'gateway-undici' | 'gateway-outbound' | 'nginx' | 'haproxy' | 'haproxy-jwt' | 'nginx-auth' | 'nginx-auth-cached'

/** Rows that run our own gateway on the test load: --variant, --build and --baseline add their copies next to these. */
export function isOwnGateway(kind: RowKind): boolean {
  return kind === 'gateway' || kind === 'gateway-outbound'
}
export type Pool = keyof Omit<TokenPools, 'generated' | 'sizes'>

export interface Target {
  /**
   * Capacity at least this times the row's reference (`against`, default the bare proxy): reference CPU µs per
   * request ÷ the row's, paired per repeat, median (issue 11; req/s ratios are printed too but not judged).
   */
  minRatio: number
  /** Added latency: open-loop p99 at half the bare proxy's req/s at most this many ms above bare's (latency.ts). */
  maxP99DeltaMs?: number
  /**
   * Regression floor for `--check --floors`: capacity × the row's reference (its CPU µs ÷ the row's, the figure
   * that holds steady on a shared machine) at least this. Set about 15% under the lowest capacity BENCHMARKS.md records for
   * the row (wrk and autocannon runs), so run-to-run noise passes and a real regression does not.
   */
  floor: number
}

export interface Row {
  id: string
  kind: RowKind
  /** What the row stands for, in the table. */
  label: string
  pool: Pool
  expect: 200 | 401
  /** tokens.cacheMaxEntries for this gateway (default config otherwise). */
  cacheMaxEntries?: number
  reference: boolean
  target?: Target
  /** Extra node flags for this row's gateway process (--variant NAME=node:FLAGS). */
  nodeArgs?: string[]
  /** Merged into the gateway's config (--variant, app-warm-perms). */
  configOverrides?: Record<string, unknown>
  /** Merged into every partner entry of the gateway's config (app-warm-perms: its permissions). */
  partnerOverrides?: Record<string, unknown>
  /** Row whose same-repeat figures this row's ratios divide by; 'bare' when absent. */
  against?: string
  /** Compiled gateway child of another commit (--baseline); the current build otherwise. */
  gatewayScript?: string
}

/** The cold scenario's cache: much smaller than its pool, so every request misses (stated in BENCHMARKS.md). */
export const COLD_CACHE_ENTRIES = 1024
export const COLD_POOL = 4096
export const USERS = 1000
export const REJECT_POOL = 999

/**
 * Issue 10: app-warm with 50 permissions on the partner and 10 access.deny entries, none of which matches except
 * the last permission. The others share the request's first segments and use * and ** (middle and end), so each
 * one is walked rather than refused on its first character.
 */
export const PERMISSIONS_BENCH: { permissions: PermissionConfig[]; deny: AccessDenyConfig[] } = {
  permissions: [
    ...Array.from({ length: 49 }, (_, i): PermissionConfig => {
      const paths = [[`/api/items-${i}/**`], [`/api/*/sub-${i}`], [`/api/**/leaf-${i}`], [`/api/items/${i}`, `/other-${i}/*`]][i % 4] as string[]
      return { name: `other-${i}`, paths, right: i % 2 === 0 ? 'read' : 'write', calls: 'any' }
    }),
    { name: 'items', paths: ['/api/items/**'], right: 'read', calls: 'any' },
  ],
  deny: Array.from({ length: 10 }, (_, i): AccessDenyConfig => ({ name: `deny-${i}`, paths: [i % 2 === 0 ? `/api/admin-${i}/**` : `/api/**/secret-${i}`], ...(i % 3 === 0 ? { methods: ['DELETE'] } : {}) })),
}

export const ROWS: readonly Row[] = [
  { id: 'bare', kind: 'bare', label: 'bare http-proxy (same agent), no auth', pool: 'appWarm', expect: 200, reference: false },
  { id: 'app-warm', kind: 'gateway', label: 'gateway, one app-only token reused', pool: 'appWarm', expect: 200, reference: false, target: { minRatio: 0.9, maxP99DeltaMs: 1, floor: 0.39 } },
  {
    id: 'app-warm-perms', kind: 'gateway', label: 'gateway app-warm, 50 permissions (match last) + 10 access.deny', pool: 'appWarm', expect: 200, reference: false,
    partnerOverrides: { permissions: PERMISSIONS_BENCH.permissions }, configOverrides: { access: { deny: PERMISSIONS_BENCH.deny } },
  },
  { id: 'user-warm', kind: 'gateway', label: `gateway, ${USERS} users' tokens reused`, pool: 'userWarm', expect: 200, reference: false, target: { minRatio: 0.85, maxP99DeltaMs: 1, floor: 0.36 } },
  { id: 'cold', kind: 'gateway', label: `gateway, ${COLD_POOL} distinct signed tokens, cache ${COLD_CACHE_ENTRIES}`, pool: 'cold', expect: 200, cacheMaxEntries: COLD_CACHE_ENTRIES, reference: false, target: { minRatio: 0.5, floor: 0.2 } },
  { id: 'app-warm-w2', kind: 'gateway', label: 'gateway app-warm, workers: 2 (CPU of all processes)', pool: 'appWarm', expect: 200, reference: false, configOverrides: { workers: 2 } },
  { id: 'cold-w2', kind: 'gateway', label: `gateway cold, workers: 2 (CPU of all processes), cache ${COLD_CACHE_ENTRIES} each`, pool: 'cold', expect: 200, cacheMaxEntries: COLD_CACHE_ENTRIES, reference: false, configOverrides: { workers: 2 } },
  { id: 'reject-early', kind: 'gateway', label: 'gateway, unknown issuer / wrong aud / expired', pool: 'rejectEarly', expect: 401, reference: false, target: { minRatio: 1.5, floor: 0.65 } },
  { id: 'reject-sig', kind: 'gateway', label: 'gateway, known partner, bad signature', pool: 'rejectSig', expect: 401, reference: false, target: { minRatio: 1.0, floor: 0.65 } },
  { id: 'outbound', kind: 'gateway-outbound', label: 'gateway outbound listener, app-only call signed by us (token cached)', pool: 'none', expect: 200, reference: false, against: 'bare-outbound', target: { minRatio: 0.8, floor: 0.5 } },
  { id: 'bare-outbound', kind: 'bare-outbound', label: "bare node:http forwarder (the outbound listener's engine and agent), no signing", pool: 'none', expect: 200, reference: false },
  { id: 'bare-undici', kind: 'bare-undici', label: 'ref: bare undici forwarder, no auth', pool: 'appWarm', expect: 200, reference: true },
  { id: 'app-warm-undici', kind: 'gateway-undici', label: 'ref: gateway app-warm on the undici forwarder', pool: 'appWarm', expect: 200, reference: true },
  { id: 'nginx', kind: 'nginx', label: 'ref: nginx plain proxy (1 worker)', pool: 'appWarm', expect: 200, reference: true },
  { id: 'haproxy', kind: 'haproxy', label: 'ref: HAProxy plain proxy (1 thread)', pool: 'appWarm', expect: 200, reference: true },
  { id: 'haproxy-jwt', kind: 'haproxy-jwt', label: 'ref: HAProxy jwt_verify RS256, every request', pool: 'appWarm', expect: 200, reference: true },
  // Issue 13: nginx (1 worker) + the gateway's forward-auth listener, both on the proxy CPU; CPU is the sum of both.
  { id: 'nginx-auth', kind: 'nginx-auth', label: 'nginx auth_request → gateway /auth/nginx, every request decided (shipped config, cache off)', pool: 'appWarm', expect: 200, reference: true },
  { id: 'nginx-auth-cached', kind: 'nginx-auth-cached', label: 'nginx auth_request → gateway, decisions cached by nginx (shipped config)', pool: 'appWarm', expect: 200, reference: true },
]
