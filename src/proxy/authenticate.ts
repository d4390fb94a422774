// Proxy: the authenticate step for proxied routes. Runs in onRequest (before any body is read): one
// Authorization field, a Bearer token, a verified identity. Public paths skip it; nothing else does.
import type { FastifyRequest } from 'fastify'
import { GatewayError } from '../errors.js'
import { extractBearer } from '../tokens/index.js'
import type { MaybePromise } from '../tokens/maybe-async.js'
import type { Identity } from '../tokens/types.js'
import type { Runtime } from '../runtime.js'
import { rawPathOf } from './path-guard.js'
import { countAuthorizationFields } from './upstream-headers.js'
import { upgradeOf } from './websocket.js'

/**
 * Returns the verified identity, or undefined for a configured public path. Throws GatewayError. The answer is
 * ready at once unless partner keys must be loaded first (validateNow), so the usual request has no async hop.
 */
export function authenticateRequest(request: FastifyRequest, runtime: Runtime): MaybePromise<Identity | undefined> {
  const raw = request.raw
  if (runtime.publicPaths.size > 0 && runtime.publicPaths.has(rawPathOf(raw.url ?? ''))) return undefined
  // Node keeps only the first Authorization field; a second one is an HTTP-level fault, not a token fault.
  if (countAuthorizationFields(raw.rawHeaders) > 1) {
    throw new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'duplicate_authorization' } })
  }
  const token = extractBearer(raw.headers.authorization)
  if (token === undefined) throw new GatewayError('GW_TOKEN_MISSING')
  // An upgrade is refused (501) after the access decision (authorize.ts), not here.
  return runtime.validator.validateNow(token)
}
