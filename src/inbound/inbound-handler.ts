// Inbound: the inbound listener's one request handler, straight from request to answer (issue 11): the path guard and
// the one pass over the raw header block, the anonymous metadata document, then authenticate, authorize (access/),
// admit (limits/) and forward with http-proxy, or relay a WebSocket. Every refusal is a catalogue answer written by
// the one error writer (errors/answer.ts); the access line and the metrics come from the one InboundCall when the
// response closes.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger as PinoLogger } from 'pino'
import { GatewayError, logError, toGatewayError, writeErrorAnswer } from '../errors/index.js'
import { METADATA_PATH, writeMetadata } from '../issuer/index.js'
import type { Limiter } from '../limits/index.js'
import type { InboundRuntime, RuntimeHolder } from './runtime-view.js'
import type { Identity } from '../identity/index.js'
import { finishCall, type RequestObserver } from './access-log.js'
import { admitCall } from './admit.js'
import { authenticateCall } from './authenticate.js'
import { applyPermissionHeader, authorizeRequest } from './authorize.js'
import { assertMediaType, assertPlainContentLength, continueIfExpected } from '../net/index.js'
import { InboundCall, requestIdOf } from './inbound-call.js'
import { assertUnambiguousTarget, rawPathOf } from './path-guard.js'
import { scanRequestHead } from './request-head.js'
import { prepareUpstreamHeaders } from './upstream-headers.js'
import { relayUpgrade } from './upgrade-relay.js'
import { upgradeOf, type UpgradeTracker } from '../upstream/index.js'

/** Inbound backends include servlet containers, which resolve `..;` like `..` (issue 10). */
const INBOUND_PATH_GUARD = { paramDotSegments: true } as const

/** What the inbound listener shares with the rest of the gateway: the limiter and the WebSocket tracker. */
export interface InboundShared {
  limiter: Limiter
  upgrades: UpgradeTracker<InboundRuntime>
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

const kCall = Symbol('s2s-gateway.call')
type CallResponse = ServerResponse & { [kCall]?: InboundCall }

/**
 * `observer` gets every finished request's access record (metrics, status page); `closing()` is true once shutdown
 * began, when a request on a kept-alive connection is answered 503 and its connection closed.
 */
export function createInboundHandler(holder: RuntimeHolder, log: PinoLogger, shared: InboundShared, observer: RequestObserver, closing: () => boolean): RequestHandler {
  function onClose(this: CallResponse): void {
    const call = this[kCall]
    if (call === undefined) return
    call.release?.()
    finishCall(call, log, observer)
  }

  /** One answer for whatever went wrong, whenever: the catalogue answer, or a cut connection once one has begun. */
  function fail(call: InboundCall, error: unknown): void {
    const err = toGatewayError(error)
    call.error = err
    try {
      logError(log, err, call.id)
      writeErrorAnswer(call.res, err, { challenge: call.runtime.challenge })
    } catch {
      call.res.destroy()
    }
  }

  /** Authenticated (or public): decide, admit, then forward or relay. Throws what the caller answers. */
  function proceed(call: InboundCall, identity: Identity | undefined, t0: number): void {
    call.identity = identity
    call.authMs = performance.now() - t0
    // Decided before anything, the 100 Continue included, goes to the client or the backend (issue 10).
    if (identity !== undefined) call.access = authorizeRequest(call.req, identity, call.runtime, call.overrideHeaders)
    const refused = admitCall(call, shared.limiter)
    if (refused !== undefined) {
      call.error = refused.err
      logError(log, refused.err, call.id)
      writeErrorAnswer(call.res, refused.err, { headers: refused.headers })
      return
    }
    // Only an authenticated partner's handshake is relayed: a public path never opens a channel past the gateway
    // (its Upgrade header is stripped like any hop-by-hop header and the request is proxied as plain HTTP).
    if (call.upgrade !== undefined && identity !== undefined) relayUpgrade(call, call.upgrade, shared.upgrades, (err) => fail(call, err))
    else forward(call)
  }

  function forward(call: InboundCall): void {
    const { req, res, runtime } = call
    continueIfExpected(req, res) // authenticated (or public): now the client may send its body
    prepareUpstreamHeaders(req, call.identity, runtime, call.suspectHeaders)
    applyPermissionHeader(req.headers, call.access)
    runtime.forwarder.forward(req, res, (err) => fail(call, err), (status, ms) => {
      call.upstreamStatus = status
      call.upstreamMs = ms
    })
  }

  function authenticateAndProceed(call: InboundCall): void {
    const t0 = performance.now()
    let result
    try {
      result = authenticateCall(call)
    } catch (err) {
      call.authMs = performance.now() - t0
      throw err
    }
    if (!(result instanceof Promise)) return proceed(call, result, t0)
    // The client may leave while the token waits for its partner's keys: its response is then destroyed, its line
    // written (aborted) and its close listener run, so a slot taken now would never be released and the backend
    // would work for nobody. (A late refusal is still logged with its reason; its answer goes nowhere.)
    result.then(
      (identity) => {
        if (call.res.destroyed) return
        try {
          proceed(call, identity, t0)
        } catch (err) {
          fail(call, err)
        }
      },
      (err: unknown) => {
        call.authMs = performance.now() - t0
        fail(call, err)
      },
    )
  }

  return function handleInbound(req: IncomingMessage, res: CallResponse): void {
    const given = req.headers['client-request-id']
    const call = new InboundCall(req, res, holder.current, requestIdOf(given), upgradeOf(req))
    res[kCall] = call
    res.on('close', onClose)
    observer.onStart?.()
    res.setHeader('request-id', call.id)
    if (given === call.id) res.setHeader('client-request-id', call.id)
    // Whatever throws from here on (guards, token checks, limits, header building, forwarding) gets one answer.
    try {
      if (closing()) {
        res.shouldKeepAlive = false
        throw new GatewayError('GW_SHUTTING_DOWN')
      }
      const url = req.url ?? ''
      assertUnambiguousTarget(url, INBOUND_PATH_GUARD)
      scanRequestHead(call)
      // RFC 9112 §3.2: a request with more than one Host field is answered 400 (Node keeps the first silently).
      if (call.hosts > 1) throw new GatewayError('GW_BAD_REQUEST', { detail: { problem: 'duplicate_host' } })
      assertPlainContentLength(req.headers['content-length'])
      assertMediaType(req)
      if ((req.method === 'GET' || req.method === 'HEAD') && rawPathOf(url) === METADATA_PATH) {
        writeMetadata(res, call.runtime.document)
        return
      }
      // Forward-auth only (issue 13): no upstream, so nothing but the metadata document is served here.
      if (call.runtime.forwardOnly) throw new GatewayError('GW_NOT_FOUND', { detail: { problem: 'forward_auth_only' } })
      authenticateAndProceed(call)
    } catch (err) {
      fail(call, err)
    }
  }
}
