// Inbound: the authenticate step. Runs before any body is read: one Authorization field, a Bearer token, a verified
// identity. Public paths skip it; nothing else does.
import { GatewayError } from '../errors/index.js'
import { bearerText } from '../tokens/index.js'
import type { MaybePromise } from '../tokens/index.js'
import type { Identity } from '../identity/index.js'
import type { InboundCall } from './inbound-call.js'
import { rawPathOf } from './path-guard.js'
import type { InboundRuntime } from './runtime-view.js'

/**
 * Returns the verified identity, or undefined for a configured public path. Throws GatewayError. The answer is
 * ready at once unless partner keys must be loaded first (validateNow), so the usual request has no async hop.
 */
export function authenticateCall(call: InboundCall): MaybePromise<Identity | undefined> {
  const { runtime, req } = call
  if (isPublicPath(runtime, req.url ?? '')) return undefined
  // Node keeps only the first Authorization field; a second one is an HTTP-level fault, not a token fault.
  if (call.authorizations > 1) throw new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'duplicate_authorization' } })
  const token = bearerText(req.headers.authorization) // its characters: checked by the validator on a cache miss
  if (token === undefined) throw new GatewayError('GW_TOKEN_MISSING')
  // An upgrade is refused (501) after the access decision (authorize.ts), not here.
  return runtime.validator.validateNow(token)
}

/** A configured public path: no token is asked for, and an upgrade there is proxied as plain HTTP (no channel). */
export function isPublicPath(runtime: InboundRuntime, url: string): boolean {
  return runtime.publicPaths.size > 0 && runtime.publicPaths.has(rawPathOf(url))
}
