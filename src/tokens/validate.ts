// Token validation, the entry point (docs/PROTOCOL.md §4): inbound/ hands a bearer token to validate(), and gets an
// Identity or a GatewayError. Size cap, then the verified-token cache, then the full verification.
import type { AuthorizationServers } from '../auth-servers/index.js'
import type { GatewayConfig } from '../schema/index.js'
import { GatewayError, tokenInvalid } from '../errors/index.js'
import type { Logger } from '../log/index.js'
import type { PartnerRegistry } from '../partners/index.js'
import { createAuthzTrust } from './authz-verify.js'
import { assertTokenSize } from './decode.js'
import { createValidationSettings } from './settings.js'
import { createRejectionMemo, type RejectionMemo } from './rejection-memo.js'
import { createSignatureMemo } from './signature.js'
import { createTokenCache, type TokenCache } from './token-cache.js'
import type { Identity } from '../identity/index.js'
import { andThen, type MaybePromise } from './maybe-async.js'
import { verifyToken, type VerifyDeps } from './verify-token.js'
import type { ValidationTrace } from './verified.js'
import { assertTokenChars } from './extract.js'

export type TokenResult = 'ok' | 'rejected' | 'forbidden' | 'unavailable'

/** Hooks for metrics. `partner` is a registered name or 'unknown', never a caller-supplied string. */
export interface TokenEvents {
  onResult?(partner: string, result: TokenResult, reason: string): void
  onCache?(hit: boolean): void
}

export interface TokenValidatorDeps {
  service: GatewayConfig['service']
  tokens: GatewayConfig['tokens']
  registry: PartnerRegistry
  /** Authorization servers whose tokens are recognised first (issue 7). Default: none. */
  authorizationServers?: AuthorizationServers
  /** Clock, epoch milliseconds. Default Date.now. */
  now?: () => number
  events?: TokenEvents
  /** Warnings about odd but accepted tokens (an `actort` claim) and internal faults. Never token text. */
  logger?: Logger
}

export interface TokenValidator {
  /**
   * Validate a bearer token, as it came after `Bearer` (its characters are checked here: base64url and ".").
   * @throws GatewayError only: GW_TOKEN_INVALID (with a reason), GW_NOT_ALLOWED, GW_PARTNER_UNAVAILABLE
   */
  validate(token: string): Promise<Identity>
  /**
   * The same decision, events and errors as validate(), returned at once whenever nothing has to be waited for
   * (a cache hit, a rejection, a miss whose partner keys are loaded): the request path's entry point, so the
   * usual request costs no promise and no microtask hop. A promise only while keys load or are refetched.
   * @throws GatewayError as validate() (thrown, or as the rejection of the returned promise)
   */
  validateNow(token: string): MaybePromise<Identity>
}

/** The only codes validate() may throw: a 401, a 403 after verification, a 503 for a partner without keys. */
const VALIDATION_CODES: ReadonlySet<string> = new Set(['GW_TOKEN_INVALID', 'GW_NOT_ALLOWED', 'GW_PARTNER_UNAVAILABLE'])

/**
 * Anything else is a fault reached through hostile input, and must not become a 500: a 401 'malformed' that
 * keeps neither the message nor the cause (JSON and crypto messages may quote the token).
 */
function toTokenError(err: unknown, deps: TokenValidatorDeps): GatewayError {
  if (err instanceof GatewayError && VALIDATION_CODES.has(err.code)) return err
  const name = err instanceof GatewayError ? err.code : err instanceof Error ? err.name : typeof err
  deps.logger?.warn({ internal: name }, 'unexpected error while validating a token; rejected as malformed')
  return tokenInvalid('malformed', { internal: name })
}

function classify(err: GatewayError): [TokenResult, string] {
  if (err.code === 'GW_NOT_ALLOWED') return ['forbidden', String(err.detail['reason'] ?? 'not_allowed')]
  if (err.code === 'GW_PARTNER_UNAVAILABLE') return ['unavailable', 'partner_unavailable']
  return ['rejected', err.reason ?? 'malformed']
}

/** A metrics hook must never turn a decision into a failure. */
function emit(deps: TokenValidatorDeps, partner: string, result: TokenResult, reason: string): void {
  try {
    deps.events?.onResult?.(partner, result, reason)
  } catch (err) {
    deps.logger?.error({ internal: err instanceof Error ? err.name : typeof err }, 'token onResult hook failed')
  }
}

/** Built once per validator: everything validate() needs besides the token. */
interface ValidatorState {
  deps: TokenValidatorDeps
  now: () => number
  maxTokenBytes: number
  cache: TokenCache | undefined
  /** Final refusals by cache key (issue 11): a replayed bad token costs a hash. */
  rejections: RejectionMemo | undefined
  verifyDeps: VerifyDeps
}

/** Cache lookup plus the onCache hook; a hit names the partner for the result event. */
function lookupCached(state: ValidatorState, cache: TokenCache, key: string, nowSec: number, trace: ValidationTrace): Identity | undefined {
  const hit = cache.lookup(key, nowSec)
  if (hit !== undefined) trace.partner = hit.partner
  try {
    state.deps.events?.onCache?.(hit !== undefined)
  } catch {
    // metrics only: never part of the decision
  }
  return hit
}

/** Size cap, then the cache (hash computed once), then full verification of a miss, cached on success. */
function validateOnce(state: ValidatorState, token: string, trace: ValidationTrace): MaybePromise<Identity> {
  assertTokenSize(token, state.maxTokenBytes)
  const nowMs = state.now()
  const nowSec = Math.floor(nowMs / 1000)
  const { cache } = state
  if (cache === undefined) return andThen(verifyToken(token, nowSec, state.verifyDeps, trace), (verified) => verified.identity)
  const key = cache.keyOf(token)
  const hit = lookupCached(state, cache, key, nowSec, trace)
  if (hit !== undefined) return hit
  const { rejections } = state
  const known = rejections?.recall(key)
  if (known !== undefined) {
    trace.partner = known.partner
    throw known.err
  }
  let result: MaybePromise<Identity>
  try {
    assertTokenChars(token) // a hit skipped it: its text is a token that passed (see extract.ts bearerText)
    result = andThen(verifyToken(token, nowSec, state.verifyDeps, trace, key), (verified) => {
      cache.store(key, verified, nowMs)
      return verified.identity
    })
  } catch (err) {
    if (rejections !== undefined) rememberRefusal(state, rejections, key, err, trace)
    throw err
  }
  if (!(result instanceof Promise) || rejections === undefined) return result
  return result.catch((err: unknown) => {
    rememberRefusal(state, rejections, key, err, trace)
    throw err
  })
}

function rememberRefusal(state: ValidatorState, rejections: RejectionMemo, key: string, err: unknown, trace: ValidationTrace): void {
  if (!(err instanceof GatewayError)) return
  const identified = !state.deps.registry.hasUnidentifiedPartners() && state.deps.authorizationServers?.hasUnidentified() !== true
  rejections.remember(key, err, trace.partner, identified)
}

/**
 * The inbound token validator (docs/PROTOCOL.md §4). Build once per configuration; validate() is safe to call
 * concurrently. The verified-token cache lives inside, bounded by tokens.cacheMaxEntries (0 disables it).
 */
export function createTokenValidator(deps: TokenValidatorDeps): TokenValidator {
  const settings = createValidationSettings(deps.service, deps.tokens)
  const state: ValidatorState = {
    deps,
    now: deps.now ?? Date.now,
    maxTokenBytes: settings.maxTokenBytes,
    cache: createTokenCache({ maxEntries: settings.cacheMaxEntries, clockSkewSec: settings.clockSkewSec, registry: deps.registry }),
    rejections: createRejectionMemo(settings.cacheMaxEntries),
    verifyDeps: {
      settings,
      registry: deps.registry,
      logger: deps.logger,
      authz: createAuthzTrust(deps.authorizationServers, deps.registry),
      signatureMemo: createSignatureMemo(settings.cacheMaxEntries),
    },
  }
  const accepted = (identity: Identity): Identity => {
    emit(deps, identity.partner, 'ok', 'ok')
    return identity
  }
  const refused = (err: unknown, trace: ValidationTrace): GatewayError => {
    const error = toTokenError(err, deps)
    if (trace.partner !== 'unknown' && error.detail['partner'] === undefined) error.detail['partner'] = trace.partner
    const [result, reason] = classify(error)
    emit(deps, trace.partner, result, reason)
    return error
  }
  const validateNow = (token: string): MaybePromise<Identity> => {
    const trace: ValidationTrace = { partner: 'unknown' }
    let result: MaybePromise<Identity>
    try {
      result = validateOnce(state, token, trace)
    } catch (err) {
      throw refused(err, trace)
    }
    if (!(result instanceof Promise)) return accepted(result)
    return result.then(accepted, (err: unknown) => {
      throw refused(err, trace)
    })
  }
  return {
    validateNow,
    async validate(token) {
      return validateNow(token)
    },
  }
}
