// Proxy: the inbound listener. Path guard for every request, the anonymous metadata document, then a
// catch-all route that authenticates, rewrites headers and hands the request to http-proxy.
import { METHODS, type ServerResponse } from 'node:http'
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger as PinoLogger } from 'pino'
import { GatewayError, toGatewayError } from '../errors.js'
import { registerMetadataRoute } from '../issuer/index.js'
import type { MaybePromise } from '../tokens/maybe-async.js'
import type { Identity } from '../tokens/types.js'
import type { Runtime } from '../runtime.js'
import type { Limiter } from '../limits/index.js'
import { admitRequest } from './admit.js'
import { authenticateRequest } from './authenticate.js'
import { applyPermissionHeader, authorizeRequest, type AccessOutcome } from './authorize.js'
import { finishRequest, type RequestObserver } from './access-log.js'
import { assertPlainContentLength, assertSingleHost, continueIfExpected, installHttpGuards, toInboundError } from './http-guards.js'
import { assertUnambiguousTarget, rawPathOf } from './path-guard.js'
import { logFields, replyWithError, writeRawError } from './reply-error.js'
import { prepareUpstreamHeaders } from './upstream-headers.js'
import { relayUpgrade } from './upgrade-relay.js'
import { installUpgradeRouting, upgradeOf, type UpgradeTracker } from './websocket.js'

/** Per-request state, set in onRequest. */
export interface RequestState {
  runtime: Runtime
  startedAt: number
  identity: Identity | undefined
  error: GatewayError | undefined
  /** Time spent authenticating (token validation included), ms. */
  authMs: number | undefined
  /** The backend's status and time to its response headers, once it answered. */
  upstreamStatus: number | undefined
  upstreamMs: number | undefined
  /** The access decision (issue 10), once an authenticated request was allowed (or shadow-denied). */
  access: AccessOutcome | undefined
}

declare module 'fastify' {
  interface FastifyRequest {
    gw: RequestState
  }
}

export interface RuntimeHolder {
  current: Runtime
}

const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/
let requestCounter = 0
const ID_PREFIX = `gw-${process.pid.toString(36)}-`

/** Exchange's `client-request-id` when it is a plain id, else our own (logged, echoed). */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['client-request-id']
  if (typeof given === 'string' && REQUEST_ID.test(given)) return given
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER
  return ID_PREFIX + requestCounter.toString(36)
}

/** Inbound backends include servlet containers, which resolve `..;` like `..` (issue 10). */
const INBOUND_PATH_GUARD = { paramDotSegments: true } as const

/** Every method Node's parser accepts but CONNECT (refused in http-guards.ts): access/ decides who may use which. */
const PROXIED_METHODS = METHODS.filter((m) => m !== 'CONNECT')

/** What the inbound listener shares with the rest of the gateway: the limiter and the WebSocket tracker. */
export interface InboundShared {
  limiter: Limiter
  upgrades: UpgradeTracker
}

/** `observer` gets every finished request's access record (metrics, status page). */
export function buildInboundApp(holder: RuntimeHolder, logger: PinoLogger, shared: InboundShared, tls?: { cert: Buffer; key: Buffer; handshakeTimeout?: number }, observer: RequestObserver = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A bad URL encoding: our 400, logged like any request (fastify's own answer echoed the raw target back).
    frameworkErrors: (error, request, reply) => {
      beginRequest(request, reply)
      return onError(error, request, reply)
    },
    ...(tls === undefined ? {} : { https: tls }),
  }) as unknown as FastifyInstance
  installHttpGuards(app.server, logger)
  // WebSocket handshakes take the same route as every request (issue 14 §3).
  installUpgradeRouting(app.server, (req, res) => app.routing(req, res))
  // The catch-all route covers only the methods fastify knows; legacy backends (SharePoint among them) also
  // speak WebDAV (RFC 4918), DeltaV (RFC 3253), SEARCH (RFC 5323) and more: every method Node parses is forwarded
  // (issue 10), and permissions say which a partner may use.
  for (const method of PROXIED_METHODS) if (!app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true })

  function beginRequest(request: FastifyRequest, reply: FastifyReply): void {
    request.gw = {
      runtime: holder.current, startedAt: performance.now(), identity: undefined, error: undefined,
      authMs: undefined, upstreamStatus: undefined, upstreamMs: undefined, access: undefined,
    }
    observer.onStart?.()
    reply.header('request-id', request.id)
    if (request.headers['client-request-id'] === request.id) reply.header('client-request-id', request.id)
    reply.raw.once('close', () => finishRequest(request, reply.raw, observer))
  }
  function onError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const err = toInboundError(error)
    if (request.gw !== null) request.gw.error = err
    return replyWithError(err, request, reply, (request.gw?.runtime ?? holder.current).challenge)
  }

  app.decorateRequest('gw', null as unknown as RequestState)
  // Callback-style hooks (not async): a request that needs nothing waited for runs through without a promise
  // or a microtask hop (issue 6).
  app.addHook('onRequest', (request, reply, done) => {
    beginRequest(request, reply)
    try {
      assertUnambiguousTarget(request.raw.url ?? '', INBOUND_PATH_GUARD)
      assertSingleHost(request.raw.rawHeaders)
      assertPlainContentLength(request.headers['content-length'])
      // Forward-auth only (issue 13): no upstream, so nothing but the metadata document is served here.
      if (request.gw.runtime.forwardOnly && rawPathOf(request.raw.url ?? '') !== '/metadata/json/1') throw new GatewayError('GW_NOT_FOUND', { detail: { problem: 'forward_auth_only' } })
    } catch (err) {
      done(err as Error)
      return
    }
    done()
  })
  app.setErrorHandler(onError)

  registerMetadataRoute(app, { document: () => holder.current.document })

  app.register(async (scope) => {
    // Bodies are streamed to the backend untouched: no parser reads them.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    scope.addHook('onRequest', (request, _reply, done) => {
      const gw = request.gw
      const t0 = performance.now()
      let result: MaybePromise<Identity | undefined>
      try {
        result = authenticateRequest(request, gw.runtime)
      } catch (err) {
        gw.authMs = performance.now() - t0
        done(err as Error)
        return
      }
      if (!(result instanceof Promise)) return void authorizeThenContinue(request, result, t0, done)
      result.then(
        (identity) => authorizeThenContinue(request, identity, t0, done),
        (err: unknown) => {
          gw.authMs = performance.now() - t0
          done(err as Error)
        },
      )
    })
    scope.all('/*', (request, reply) => {
      // Once hijacked, fastify writes none of the headers set so far (request-id, client-request-id): copy them.
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value)
      reply.hijack()
      // Whatever throws from here on (limits, header building, identity encoding, forwarding) still gets one answer:
      // once hijacked, fastify could only log "Reply was already sent" and leave the client waiting (issue 17).
      try {
        if (!admitRequest(request, reply.raw, shared.limiter)) return
        // Only an authenticated partner's handshake is relayed: a public path never opens a channel past the gateway
        // (its Upgrade header is stripped like any hop-by-hop header and the request is proxied as plain HTTP).
        const upgrade = upgradeOf(request.raw)
        if (upgrade !== undefined && request.gw.identity !== undefined) relayUpgrade(request, reply.raw, upgrade, shared.upgrades)
        else forwardToUpstream(request, reply.raw)
      } catch (err) {
        failHijacked(request, reply.raw, err)
      }
    })
  })
  return app
}

/** Authenticated: decide (issue 10) before anything, the 100 Continue included, goes to the client or the backend. */
function authorizeThenContinue(request: FastifyRequest, identity: Identity | undefined, t0: number, done: (err?: Error) => void): void {
  const gw = request.gw
  gw.identity = identity
  gw.authMs = performance.now() - t0
  if (identity === undefined) return void done()
  try {
    gw.access = authorizeRequest(request.raw, identity, gw.runtime)
  } catch (err) {
    done(err as Error)
    return
  }
  done()
}

function forwardToUpstream(request: FastifyRequest, res: ServerResponse): void {
  const { runtime, identity } = request.gw
  continueIfExpected(request.raw, res) // authenticated (or public): now the client may send its body
  prepareUpstreamHeaders(request.raw, identity, runtime)
  applyPermissionHeader(request.raw.headers, request.gw.access)
  const gw = request.gw
  runtime.forwarder.forward(
    request.raw,
    res,
    (err) => {
      gw.error = err
      request.log[err.status >= 500 ? 'warn' : 'info'](logFields(err), err.message)
      writeRawError(res, err, undefined)
    },
    (status, ms) => {
      gw.upstreamStatus = status
      gw.upstreamMs = ms
    },
  )
}

/** The answer for a hijacked request whose forwarding threw: our 500 (or the error's own status), or a cut connection. */
function failHijacked(request: FastifyRequest, res: ServerResponse, error: unknown): void {
  const err = toGatewayError(error)
  request.gw.error = err
  try {
    request.log[err.status >= 500 ? 'error' : 'info'](logFields(err), err.message)
    writeRawError(res, err, request.gw.runtime.challenge)
  } catch {
    res.destroy()
  }
}
