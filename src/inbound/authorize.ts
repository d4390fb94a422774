// Inbound: the authorize step (issue 10). Runs right after authentication, in the same onRequest hook, so a
// refused request never reaches the backend and `Expect: 100-continue` is answered only once it is allowed.
// The decision itself is access/ (pure); this file reads the request and writes the outcome.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { decideAccess, parseMethodOverrides, type AccessDecision } from '../access/index.js'
import { GatewayError } from '../errors/index.js'
import { IDENTITY_HEADERS } from '../identity/index.js'
import type { Identity } from '../identity/index.js'
import type { InboundRuntime } from './runtime-view.js'
import { upgradeOf } from '../upstream/index.js'

export type AccessOutcomeKind = 'allow' | 'deny' | 'shadow_deny'

/** What the access line, the metrics and the upstream headers need to know about the decision. */
export interface AccessOutcome {
  decision: AccessOutcomeKind
  /** The permission that allowed it (not set for shadow_deny, nor for a partner without permissions). */
  permission: string | undefined
  reason: AccessDecision['reason']
  deny: string | undefined
}

/** What parseMethodOverrides answers for a head without override headers (request-head.ts saw none). */
const NO_OVERRIDES = Object.freeze({ methods: Object.freeze([] as string[]) })

const ALLOWED_UNRESTRICTED: AccessOutcome = Object.freeze({ decision: 'allow', permission: undefined, reason: undefined, deny: undefined })

/**
 * Decide for an authenticated request. Throws GW_BAD_REQUEST for an ambiguous method override, GW_NOT_ALLOWED when
 * the rules refuse it in enforce mode; returns the outcome otherwise (shadow mode: 'shadow_deny', forwarded).
 */
/** `overrideHeaders` false: the head's one pass found no name that could be a method override. */
export function authorizeRequest(raw: IncomingMessage, identity: Identity, runtime: InboundRuntime, overrideHeaders = true): AccessOutcome {
  const overrides = overridesOf(raw, overrideHeaders, identity.partner)
  const upgrade = raw.headers.upgrade !== undefined
  return decide(identity, runtime, raw.method ?? '', raw.url ?? '', overrides, upgrade, upgrade && upgradeOf(raw) !== undefined)
}

/** What an access decision reads from a relayed WebSocket handshake, kept for its channel's lifetime. */
export interface HandshakeFacts {
  readonly method: string
  readonly path: string
  readonly overrides: readonly string[]
}

/** The facts authorizeRequest decided a handshake on, read the same way (called once it was allowed). */
export function handshakeFacts(raw: IncomingMessage, identity: Identity, overrideHeaders: boolean): HandshakeFacts {
  return { method: raw.method ?? '', path: raw.url ?? '', overrides: overridesOf(raw, overrideHeaders, identity.partner) }
}

/**
 * An open WebSocket judged again by another runtime (upgrade-admission.ts): the decision authorizeRequest made for
 * its handshake, by the same code, on the facts it read then. Throws and returns as authorizeRequest.
 */
export function authorizeHandshake(facts: HandshakeFacts, identity: Identity, runtime: InboundRuntime): AccessOutcome {
  return decide(identity, runtime, facts.method, facts.path, facts.overrides, true, true)
}

function overridesOf(raw: IncomingMessage, overrideHeaders: boolean, partner: string): readonly string[] {
  const overrides = overrideHeaders ? parseMethodOverrides(raw.rawHeaders) : NO_OVERRIDES
  if ('problem' in overrides) throw new GatewayError('GW_BAD_REQUEST', { detail: { problem: overrides.problem, partner } })
  return overrides.methods
}

/** `relayed`: the upgrade came through the server's 'upgrade' event, so upgrade-relay.ts can relay it. */
function decide(
  identity: Identity, runtime: InboundRuntime, method: string, path: string, overrides: readonly string[], upgrade: boolean, relayed: boolean,
): AccessOutcome {
  const policy = runtime.access
  const decision = decideAccess(policy, { partner: identity.partner, callType: identity.authType, user: identity.user, method, overrides, upgrade, path })
  let outcome: AccessOutcome
  if (decision.allowed) {
    outcome = decision.permission === undefined ? ALLOWED_UNRESTRICTED : { decision: 'allow', permission: decision.permission, reason: undefined, deny: undefined }
  } else if (policy.mode === 'shadow') {
    outcome = { decision: 'shadow_deny', permission: undefined, reason: decision.reason, deny: decision.deny }
  } else {
    const detail: Record<string, unknown> = { partner: identity.partner, authType: identity.authType, reason: decision.reason }
    if (decision.deny !== undefined) detail['deny'] = decision.deny
    throw new GatewayError('GW_NOT_ALLOWED', { detail })
  }
  // Decided first, so an upgrade the rules refuse is a 403 like any other request and a 501 is never an oracle for
  // unauthenticated callers. A real handshake (the server's 'upgrade' event) goes on to upgrade-relay.ts; an Upgrade
  // header without one asks for nothing we relay.
  if (upgrade && !relayed) {
    throw new GatewayError('GW_NOT_IMPLEMENTED', { detail: { problem: 'upgrade', partner: identity.partner, authType: identity.authType } })
  }
  return outcome
}

/** After the client's x-s2s-* headers were stripped: name the permission that allowed the request. */
export function applyPermissionHeader(headers: IncomingHttpHeaders, outcome: AccessOutcome | undefined): void {
  if (outcome?.permission !== undefined) headers[IDENTITY_HEADERS.permission] = outcome.permission
}
