// Access: the decision (issue 10). A pure function of (compiled policy, partner, call type, user, method, override
// methods, upgrade, path); it knows nothing of HTTP, so the inbound listener, `access explain` and `token inspect`
// all run this same code. Order: access.deny first, then the partner's permissions; no match is a denial.
import { pathSegments } from './normalize.js'
import type { CompiledPattern } from './pattern.js'
import type { CallType, CompiledEntry, CompiledPolicy } from './policy.js'
import { UPGRADE_METHOD } from './rights.js'
import { usersMatch, type UserFacts } from './users.js'
import type { AccessDecision } from './policy.js'

export interface AccessRequest {
  partner: string
  callType: CallType
  /** User calls: the verified outer token's user claims. */
  user?: UserFacts | undefined
  /** The request method, as Node's parser gave it. */
  method: string
  /** Methods named by X-HTTP-Method and friends (method-override.ts), uppercase. */
  overrides: readonly string[]
  /** A WebSocket (any) upgrade: also checked as the method UPGRADE. */
  upgrade: boolean
  /** The path as it arrived (a query, if still attached, is ignored). */
  path: string
}



/** Why one entry does not decide a request: the first of these that fails, in the order explain prints them. */
export type Mismatch = 'method' | 'path' | 'calls' | 'users'

/** Everything a request asks for, computed once and matched against each entry. */
export interface RequestFacts {
  methods: readonly string[]
  /** undefined: the path has a `.`/`..` segment once parameters are dropped; no pattern can match it. */
  segments: readonly string[] | undefined
  callType: CallType
  user: UserFacts | undefined
}

export function factsOf(policy: CompiledPolicy, request: AccessRequest): RequestFacts {
  let methods: readonly string[] = [request.method]
  if (request.overrides.length > 0 || request.upgrade) {
    methods = [request.method, ...request.overrides, ...(request.upgrade ? [UPGRADE_METHOD] : [])]
  }
  return { methods, segments: pathSegments(request.path, policy.caseInsensitivePaths), callType: request.callType, user: request.user }
}

function pathMatches(entry: CompiledEntry, segments: readonly string[]): boolean {
  const patterns = entry.patterns
  for (let i = 0; i < patterns.length; i++) if ((patterns[i] as CompiledPattern).matches(segments)) return true
  return false
}

function anyOf(set: ReadonlySet<string>, values: readonly string[]): boolean {
  for (let i = 0; i < values.length; i++) if (set.has(values[i] as string)) return true
  return false
}

/** A permission grants a request only when it covers every method named (the request's and the overrides). */
export function permissionMismatch(entry: CompiledEntry, facts: RequestFacts): Mismatch | undefined {
  const methods = entry.methods
  if (methods !== undefined) for (let i = 0; i < facts.methods.length; i++) if (!methods.has(facts.methods[i] as string)) return 'method'
  if (facts.segments === undefined || !pathMatches(entry, facts.segments)) return 'path'
  if (entry.calls !== 'any' && entry.calls !== facts.callType) return 'calls'
  if (entry.users !== undefined && (facts.user === undefined || !usersMatch(entry.users, facts.user))) return 'users'
  return undefined
}

/** A deny entry refuses a request when any method named is one of its methods (or it lists none) and the path matches. */
export function denyMismatch(entry: CompiledEntry, facts: RequestFacts): Mismatch | undefined {
  const methods = entry.methods
  if (methods !== undefined && !anyOf(methods, facts.methods)) return 'method'
  // An unmatchable path (dot segment) is refused by every deny entry whose methods apply: fail closed.
  if (facts.segments !== undefined && !pathMatches(entry, facts.segments)) return 'path'
  return undefined
}

const ALLOW_UNRESTRICTED: AccessDecision = Object.freeze({ allowed: true, reason: undefined, permission: undefined, deny: undefined })
const NO_PERMISSION: AccessDecision = Object.freeze({ allowed: false, reason: 'permission', permission: undefined, deny: undefined })

export function decideFacts(policy: CompiledPolicy, partner: string, facts: RequestFacts): AccessDecision {
  const deny = policy.deny
  for (let i = 0; i < deny.length; i++) {
    const entry = deny[i] as CompiledEntry
    if (denyMismatch(entry, facts) === undefined) return entry.decision
  }
  const permissions = policy.partners.get(partner)
  if (permissions === undefined) return ALLOW_UNRESTRICTED
  for (let i = 0; i < permissions.length; i++) {
    const entry = permissions[i] as CompiledEntry
    if (permissionMismatch(entry, facts) === undefined) return entry.decision
  }
  return NO_PERMISSION
}

/** The decision for one authenticated request. Shadow mode is the caller's business: this says what the rules say. */
export function decideAccess(policy: CompiledPolicy, request: AccessRequest): AccessDecision {
  // Nothing to check: the path is not even split (a gateway without access rules pays nothing per request).
  if (policy.deny.length === 0 && !policy.partners.has(request.partner)) return ALLOW_UNRESTRICTED
  return decideFacts(policy, request.partner, factsOf(policy, request))
}
