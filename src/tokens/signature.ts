// Token validation, step 5 (docs/PROTOCOL.md §4.5): verify the actor's RS256 signature with the issuing partner's
// keys only (never ours, never keys named by the token), with one rate-limited refetch for rotation (§1.6.5).
import { verify } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { GatewayError, tokenInvalid } from '../errors/index.js'
import type { KeySet, Partner } from '../partners/index.js'
import type { SigningKey } from '../certs/index.js'
import type { ActorToken } from './classify.js'
import { andThen, type MaybePromise } from './maybe-async.js'
import { tokenKeyOf } from './token-cache.js'

/** The shape of a real x5t (base64url SHA-1); anything else is not worth a log line. Compiled once. */
const X5T_SHAPE = /^[A-Za-z0-9_-]{27}$/

function verifies(key: SigningKey, data: Buffer, signature: Buffer): boolean {
  try {
    return verify('sha256', data, key.publicKey, signature) // RSASSA-PKCS1-v1_5 for an RSA KeyObject
  } catch {
    return false
  }
}

/** The key named by x5t; when x5t is absent or unknown, every key of the partner in turn (§4.5, X). */
function findVerifyingKey(keys: KeySet, x5t: string | undefined, data: Buffer, signature: Buffer): SigningKey | undefined {
  const named = x5t === undefined ? undefined : keys.byX5t.get(x5t)
  if (named !== undefined) return verifies(named, data, signature) ? named : undefined
  for (const key of keys.all) if (verifies(key, data, signature)) return key
  return undefined
}

/** The initial load, awaited only when the partner has no usable keys yet. */
async function loadKeys(partner: Partner): Promise<KeySet> {
  await partner.ensureLoaded()
  const loaded = partner.keys()
  if (loaded !== undefined) return loaded
  throw new GatewayError('GW_PARTNER_UNAVAILABLE', {
    detail: { partner: partner.name, retryAfterSec: partner.retryAfterSec() },
  })
}

/** No current key verified: possibly a rotation to a certificate we have not fetched yet (one refetch, cooldown-limited by the partner). */
async function verifyAfterRefetch(partner: Partner, actor: ActorToken, data: Buffer, signature: Buffer, memo: Memo | undefined): Promise<SigningKey> {
  if (await partner.refetchOnMiss()) {
    const fresh = partner.keys()
    const retried = fresh === undefined ? undefined : findVerifyingKey(fresh, actor.x5t, data, signature)
    if (retried !== undefined) return retried
  }
  const last = partner.keys()
  if (memo !== undefined && last !== undefined) memo.cache.remember(memo.key, last)
  const detail: Record<string, unknown> = { partner: partner.name }
  if (actor.x5t !== undefined && X5T_SHAPE.test(actor.x5t)) detail['x5t'] = actor.x5t
  throw tokenInvalid('signature', detail)
}

/**
 * Actor tokens known not to verify under a given key set. Verification is a pure function of the token and the
 * key set, so remembering a failure changes no answer: a replayed bad token (an attacker's cheapest flood) costs a
 * hash instead of an RSA verification, and still goes through the same cooldown-limited refetch. An entry only
 * counts while the partner still holds the very KeySet it failed against (a reload, refresh or rotation replaces
 * the object), and it is keyed by a hash of the whole actor token, so no other token can be made to hit it.
 */
export interface SignatureMemo {
  failedUnder(actorKey: string, keys: KeySet): boolean
  remember(actorKey: string, keys: KeySet): void
}

/** Bounded like the verified-token cache (tokens.cacheMaxEntries); undefined when that is 0. */
export function createSignatureMemo(maxEntries: number): SignatureMemo | undefined {
  if (!(maxEntries > 0)) return undefined
  const failures = new LRUCache<string, KeySet>({ max: maxEntries })
  return {
    failedUnder: (actorKey, keys) => failures.get(actorKey) === keys,
    remember: (actorKey, keys) => void failures.set(actorKey, keys),
  }
}

interface Memo {
  cache: SignatureMemo
  key: string
}

function verifyWith(partner: Partner, actor: ActorToken, keys: KeySet, memoCache: SignatureMemo | undefined, actorKey: string | undefined): MaybePromise<SigningKey> {
  const data = Buffer.from(actor.signingInput, 'latin1') // base64url text: ASCII, so latin1 is exact and fast
  const signature = Buffer.from(actor.signature, 'base64url')
  const memo = memoCache === undefined ? undefined : { cache: memoCache, key: actorKey ?? actorKeyOf(actor) }
  if (memo !== undefined && memo.cache.failedUnder(memo.key, keys)) return verifyAfterRefetch(partner, actor, data, signature, memo)
  return findVerifyingKey(keys, actor.x5t, data, signature) ?? verifyAfterRefetch(partner, actor, data, signature, memo)
}

/** The memo's key of an actor token: the key of its whole text, as the verified-token cache keys tokens. */
function actorKeyOf(actor: ActorToken): string {
  return tokenKeyOf(`${actor.signingInput}.${actor.signature}`)
}

/**
 * Verify the actor signature and return the key that verified it: at once when the partner's keys are loaded and
 * one verifies (no async hop on the usual path), else after the initial load or the on-miss refetch. `actorKey` is
 * actorKeyOf(actor) when the caller has it already: an app-only token is its own actor token, and the verified-token
 * cache has just hashed it, so a replayed forged token costs one hash, not two.
 * @throws GatewayError GW_TOKEN_INVALID 'signature', or GW_PARTNER_UNAVAILABLE when the partner has no keys (as the
 *   rejection of the returned promise)
 */
export function verifyActorSignature(partner: Partner, actor: ActorToken, memo?: SignatureMemo, actorKey?: string): MaybePromise<SigningKey> {
  const keys = partner.keys()
  return keys === undefined
    ? andThen(loadKeys(partner), (loaded) => verifyWith(partner, actor, loaded, memo, actorKey))
    : verifyWith(partner, actor, keys, memo, actorKey)
}
