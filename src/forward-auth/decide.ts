// Forward-auth: one decision, on the same steps as an inbound request (path guard, token validation, host,
// permissions, limits), for a request the proxy describes instead of one it hands us. Throws GatewayError for a
// deny; the answer's shape per dialect is answer.ts's business.
import type { IncomingMessage } from 'node:http'
import { METHODS } from 'node:http'
import { decideAccess, parseMethodOverrides } from '../access/index.js'
import { normalizeAuthority } from '../config/index.js'
import { GatewayError } from '../errors/index.js'
import type { LimitHeaders, Limiter } from '../limits/index.js'
import { findPathProblem } from '../inbound/index.js'
import type { DecisionRuntime } from './runtime-view.js'
import { bearerText } from '../tokens/index.js'
import type { MaybePromise } from '../tokens/index.js'
import type { Identity } from '../identity/index.js'
import type { OriginalRequest } from './original.js'

/** An allowed decision: who, under which permission (or shadow mode's would-be refusal). */
export interface Allowed {
  identity: Identity
  decision: 'allow' | 'shadow_deny'
  permission: string | undefined
  reason: string | undefined
  deny: string | undefined
}

/** Methods a decision may be about: what the inbound listener forwards (CONNECT never is). */
const METHOD_SET: ReadonlySet<string> = new Set(METHODS.filter((m) => m !== 'CONNECT'))

/** The checks made before any token is looked at: they need nothing but the request description. Throws. */
export function checkOriginal(original: OriginalRequest, runtime: DecisionRuntime): void {
  if (!METHOD_SET.has(original.method)) throw deny({ problem: 'original_method' })
  // Inbound backends include servlet containers, which resolve `..;` like `..` (same guard as inbound).
  const pathProblem = findPathProblem(original.url, { paramDotSegments: true })
  if (pathProblem !== undefined) throw deny({ pathProblem })
  const host = normalizeAuthority(original.host)
  if (!host.ok || !runtime.config.service.publicHosts.includes(host.value)) throw deny({ problem: 'original_host' })
}

/** Validate the token the proxy passed on; an answer at once unless partner keys must be loaded first. */
export function authenticate(req: IncomingMessage, runtime: DecisionRuntime): MaybePromise<Identity> {
  if (countFields(req.rawHeaders, 'authorization') > 1) throw deny({ problem: 'duplicate_authorization' })
  const token = bearerText(req.headers.authorization) // its characters: checked by the validator on a cache miss
  if (token === undefined) throw new GatewayError('GW_TOKEN_MISSING')
  return runtime.validator.validateNow(token)
}

/** Permissions on the original method (and method-override headers) and path, then the partner's rate. Throws. */
export function authorize(req: IncomingMessage, original: OriginalRequest, identity: Identity, runtime: DecisionRuntime, limiter: Limiter): Allowed {
  const overrides = parseMethodOverrides(req.rawHeaders)
  if ('problem' in overrides) throw deny({ problem: overrides.problem, partner: identity.partner })
  const policy = runtime.access
  const decision = decideAccess(policy, {
    partner: identity.partner, callType: identity.authType, user: identity.user, method: original.method,
    overrides: overrides.methods, upgrade: isUpgradeAttempt(req), path: original.url,
  })
  let allowed: Allowed
  if (decision.allowed) {
    allowed = { identity, decision: 'allow', permission: decision.permission, reason: undefined, deny: undefined }
  } else if (policy.mode === 'shadow') {
    allowed = { identity, decision: 'shadow_deny', permission: undefined, reason: decision.reason, deny: decision.deny }
  } else {
    const detail: Record<string, unknown> = { partner: identity.partner, authType: identity.authType, reason: decision.reason }
    if (decision.deny !== undefined) detail['deny'] = decision.deny
    throw new GatewayError('GW_NOT_ALLOWED', { detail })
  }
  admit(identity.partner, runtime, limiter)
  return allowed
}

/**
 * A WebSocket handshake, as far as the proxy lets us see it: `Upgrade` is hop-by-hop, and Traefik (like any proxy
 * that strips hop-by-hop headers from the decision request) never passes it on, while it proxies the handshake
 * itself. Every handshake carries `Sec-WebSocket-Key` (RFC 6455 §4.1), which is end-to-end: either counts.
 */
function isUpgradeAttempt(req: IncomingMessage): boolean {
  return req.headers.upgrade !== undefined || req.headers['sec-websocket-key'] !== undefined
}

/** A decision counts against the partner's rate, never its concurrency (nothing is in flight here). */
function admit(partner: string, runtime: DecisionRuntime, limiter: Limiter): void {
  const limits = runtime.limits.get(partner)
  if (limits === undefined) return
  const admission = limiter.admit(partner, limits, 'decision')
  if (admission.ok) return
  const err = new GatewayError('GW_RATE_LIMITED', { detail: { partner, reason: admission.limit, retryAfterSec: admission.retryAfterSec } })
  LIMIT_HEADERS.set(err, admission.headers)
  throw err
}

/** The RateLimit fields of a refused decision, kept off err.detail (which the log line gets whole). */
export const LIMIT_HEADERS = new WeakMap<GatewayError, LimitHeaders>()

function deny(detail: Record<string, unknown>): GatewayError {
  return new GatewayError('GW_NOT_ALLOWED', { detail })
}

function countFields(rawHeaders: readonly string[], name: string): number {
  let n = 0
  for (let i = 0; i < rawHeaders.length; i += 2) if ((rawHeaders[i] ?? '').toLowerCase() === name) n++
  return n
}
