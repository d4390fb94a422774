// Forward-auth (issue 13): the decision listener a reverse proxy asks before it forwards a request on its own:
// /auth/nginx (nginx auth_request, ingress-nginx auth-url), /auth/envoy/<path> (Envoy ext_authz HTTP service),
// /auth/forward (Traefik forwardAuth, Caddy forward_auth). A plain node:http handler: one decision per request,
// on the inbound listener's steps (path guard, token validation, permissions, limits) and its access log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { GatewayError, toGatewayError } from '../errors/index.js'
import type { Limiter } from '../limits/index.js'
import type { Logger } from '../log/index.js'
import type { RequestObserver } from '../inbound/index.js'
import { isListedAddress } from '../net/index.js'
import { installHttpGuards } from '../net/index.js'
import { requestIdOf } from '../inbound/index.js'
import type { RuntimeHolder } from '../inbound/index.js'
import type { DecisionRuntime } from './runtime-view.js'
import { rawPathOf } from '../inbound/index.js'
import type { Identity } from '../identity/index.js'
import { cacheSecondsOf, writeAllow, writeDeny } from './answer.js'
import { authenticate, authorize, checkOriginal } from './decide.js'
import { dialectOf, originalOf, type OriginalRequest } from './original.js'
import { finishDecision, logDeny, type DecisionState } from './record.js'

export { dialectOf, originalOf, type Dialect, type OriginalRequest } from './original.js'
export { answerStatusOf } from './answer.js'

export interface ForwardAuthDeps {
  holder: RuntimeHolder<DecisionRuntime>
  logger: Logger
  /** The gateway's limiter: a decision counts against its partner's rate (never its concurrency). */
  limiter: Limiter
  /** The inbound listener's observer: decisions are counted with the same metrics (label listener). */
  observer?: RequestObserver
  /** Epoch ms, for X-Accel-Expires (default Date.now). */
  now?: () => number
}

export function createForwardAuthHandler(deps: ForwardAuthDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { holder, logger, limiter, observer = {} } = deps
  const now = deps.now ?? Date.now

  function fail(state: DecisionState, res: ServerResponse, error: unknown): void {
    const err = toGatewayError(error)
    state.error = err
    logDeny(err, state.requestId, logger)
    if (res.headersSent || res.destroyed) return
    try {
      writeDeny(res, err, state.dialect, state.runtime, state.requestId)
    } catch {
      res.destroy()
    }
  }

  function decide(state: DecisionState, req: IncomingMessage, res: ServerResponse, original: OriginalRequest, identity: Identity): void {
    state.identity = identity
    try {
      const allowed = authorize(req, original, identity, state.runtime, limiter)
      state.allowed = allowed
      state.cacheSec = cacheSecondsOf(allowed, state.runtime, now())
      writeAllow(res, allowed, state.cacheSec, state.requestId)
    } catch (err) {
      fail(state, res, err)
    }
  }

  return (req, res) => {
    const runtime = holder.current
    const state: DecisionState = {
      runtime, requestId: requestIdOf(req.headers['client-request-id']), startedAt: performance.now(), dialect: undefined, original: undefined,
      identity: undefined, allowed: undefined, error: undefined, authMs: undefined, cacheSec: undefined,
    }
    observer.onStart?.()
    res.once('close', () => finishDecision(state, req, res, logger, observer))
    let t0 = 0
    try {
      // Only the proxies may describe a request: anyone else could name a URI other than the one it sends.
      if (!isListedAddress(runtime.forwardAuthProxies, req.socket.remoteAddress)) throw new GatewayError('GW_NOT_ALLOWED', { detail: { problem: 'untrusted_caller' } })
      state.dialect = dialectOf(rawPathOf(req.url ?? ''))
      if (state.dialect === undefined) throw new GatewayError('GW_NOT_FOUND')
      const described = originalOf(req, state.dialect)
      if (!described.ok) throw new GatewayError('GW_NOT_ALLOWED', { detail: { problem: described.problem } })
      const original = described.original
      state.original = original
      checkOriginal(original, runtime)
      t0 = performance.now()
      const result = authenticate(req, runtime)
      if (!(result instanceof Promise)) {
        state.authMs = performance.now() - t0
        return decide(state, req, res, original, result)
      }
      result.then(
        (identity) => {
          state.authMs = performance.now() - t0
          // The proxy left while the token waited for its partner's keys: its line is written; a decision now
          // would spend a rate token on nobody.
          if (res.destroyed) return
          decide(state, req, res, original, identity)
        },
        (err: unknown) => {
          state.authMs = performance.now() - t0
          fail(state, res, err)
        },
      )
    } catch (err) {
      if (t0 !== 0) state.authMs = performance.now() - t0
      fail(state, res, err)
    }
  }
}

/** The listener itself (lifecycle/build-gateway.ts guards its connections and start-gateway.ts makes it listen). */
export function createForwardAuthServer(deps: ForwardAuthDeps): Server {
  const server = createServer(createForwardAuthHandler(deps))
  installHttpGuards(server, deps.logger, 'forward_auth')
  return server
}
export type { DecisionRuntime } from './runtime-view.js'
