// Inbound: an open WebSocket judged again by a reloaded configuration. A channel stays open only while a new
// handshake with the same token, method, path and override headers would be relayed as it was: authenticated by
// the new runtime's validator, allowed by its access rules, under the same partner and the same permission (the
// identity the backend was given at the handshake). The decision is the handshake's own code, not a comparison of
// chosen settings, so whatever a configuration can change about a new handshake's fate applies to open channels
// too. Limits are not judged again: the channel already holds its slot, and the limiter outlives reloads.
import { GatewayError } from '../errors/index.js'
import type { Identity } from '../identity/index.js'
import type { MaybePromise } from '../tokens/index.js'
import type { ChannelJudge, ChannelVerdict } from '../upstream/index.js'
import { isPublicPath } from './authenticate.js'
import { authorizeHandshake, type HandshakeFacts } from './authorize.js'
import type { InboundRuntime } from './runtime-view.js'

/** upstream.websockets is on and the backend's engine relays upgrades (else a handshake is answered 501). */
export function relaysUpgrades(runtime: InboundRuntime): boolean {
  return runtime.config.upstream.websockets && runtime.forwarder.upgrade !== undefined
}

/**
 * The judge of one channel. `token` is the handshake's bearer token: held in this closure for the channel's
 * lifetime, never logged or put anywhere else. Each judgement is a validation like a request's (counted in the
 * token metrics, cached by the new runtime's validator, so channels sharing a token cost one verification).
 */
export function channelJudge(token: string, facts: HandshakeFacts, admitted: Identity, permission: string | undefined): ChannelJudge<InboundRuntime> {
  return (runtime) => {
    // Settings that refuse any handshake, whatever its token: checked first, so closing for them needs no keys.
    if (runtime.forwardOnly || !relaysUpgrades(runtime) || isPublicPath(runtime, facts.path)) return 'close'
    let identity: MaybePromise<Identity>
    try {
      identity = runtime.validator.validateNow(token)
    } catch (err) {
      return verdictOf(err)
    }
    if (!(identity instanceof Promise)) return decide(identity, runtime, facts, admitted, permission)
    return identity.then((ready) => decide(ready, runtime, facts, admitted, permission), verdictOf)
  }
}

function decide(identity: Identity, runtime: InboundRuntime, facts: HandshakeFacts, admitted: Identity, permission: string | undefined): ChannelVerdict {
  if (identity.partner !== admitted.partner) return 'close' // the token now names another partner: a new identity
  try {
    // shadow_deny keeps an admitted channel only if it, too, was let through without a permission.
    return authorizeHandshake(facts, identity, runtime).permission === permission ? 'keep' : 'close'
  } catch (err) {
    return verdictOf(err)
  }
}

/**
 * A refusal closes the channel, except the one that only says "not yet": the partner's keys (or identity) are not
 * loaded. A new handshake would get 503 and retry; the channel is kept and judged again after the same wait.
 */
function verdictOf(err: unknown): ChannelVerdict {
  if (err instanceof GatewayError && err.code === 'GW_PARTNER_UNAVAILABLE') {
    const hint = err.detail['retryAfterSec']
    return { retryAfterSec: typeof hint === 'number' && hint > 0 ? hint : 5 }
  }
  return 'close'
}
