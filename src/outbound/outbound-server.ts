// Outbound: the listener our backend calls partners through: `<METHOD> /<partner name>/<path>?<query>`.
// Plain node:http rather than fastify: it has one route, must stream bodies untouched (and replay small ones),
// and parses nothing, so a framework would add only indirection. Each request pins the Runtime it started with.
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { GatewayError, logError, toGatewayError, writeErrorOnSocket } from '../errors/index.js'
import { logFlatLine, type Logger } from '../log/index.js'
import { refuseConnect, refuseUnparsed } from '../net/index.js'
import { assertUnambiguousTarget, outcomeOfError, rawPathOf } from '../inbound/index.js'
import type { OutboundRuntime } from './runtime-view.js'
import { readActAs } from './act-as.js'
import { statusClassOf } from '../net/index.js'
import type { OutboundResult } from './outbound.js'
import { abandonCall, type InFlight } from './send.js'
import { backendResponseHeaders } from './partner-headers.js'
import { readBody } from './read-body.js'
import { checkSharedSecret } from './shared-secret.js'
import { writeOutboundError } from './reply.js'

export interface OutboundServerOptions {
  /** Holds the Runtime in use; a reload swaps it. */
  holder: { current: OutboundRuntime }
  log: Logger
  /**
   * The shared secret the listener started with. Off loopback it stays required even if a reload drops
   * listen.outbound, so a reload can never turn the listener into an open relay.
   */
  startupSecret: string | undefined
  /** Whether the listener is bound to a loopback address. */
  loopback: boolean
}

/** One call through the listener; also its InFlight (the exchange, and whether the caller went away first). */
interface CallState extends InFlight {
  runtime: OutboundRuntime
  /** Registered partner name once the path named one; 'unknown' before (a metrics label, never caller text). */
  partner: string
  startedAt: number
  result?: OutboundResult
  error?: GatewayError
}

/** `/<name>/<rest>?<query>` -> name and `/<rest>?<query>` (rest '/' when absent). */
export function splitTarget(url: string): { name: string; rest: string } {
  const path = rawPathOf(url)
  const query = url.slice(path.length)
  const slash = path.indexOf('/', 1)
  const name = slash === -1 ? path.slice(1) : path.slice(1, slash)
  const rest = slash === -1 ? '/' : path.slice(slash)
  return { name, rest: rest + query }
}

function relay(result: OutboundResult, res: ServerResponse, partner: { name: string; base: URL }): void {
  const { response, request } = result
  if (res.destroyed) {
    // The backend left while the partner was answering: nothing to relay to.
    response.destroy()
    request.destroy()
    return
  }
  res.writeHead(response.statusCode ?? 502, backendResponseHeaders(response, { requestedPath: result.path, base: partner.base, partner: partner.name }))
  response.pipe(res)
  response.once('error', () => res.destroy())
  response.once('aborted', () => res.destroy())
  // The backend went away: stop the partner exchange too.
  res.once('close', () => {
    if (!res.writableFinished) request.destroy()
  })
}

async function handle(req: IncomingMessage, res: ServerResponse, state: CallState, opts: OutboundServerOptions): Promise<void> {
  const { runtime } = state
  const configured = runtime.config.listen.outbound?.sharedSecret
  checkSharedSecret(req, configured ?? (opts.loopback ? undefined : opts.startupSecret))
  // A partner answering TRACE echoes the request, our Authorization included: the caller would hold our token.
  if (req.method === 'TRACE') throw new GatewayError('GW_NOT_IMPLEMENTED', { detail: { problem: 'trace' } })
  const url = req.url ?? ''
  assertUnambiguousTarget(url)
  const { name, rest } = splitTarget(url)
  const outbound = runtime.outbound
  const partner = outbound.partner(name)
  if (partner === undefined) throw new GatewayError('GW_OUTBOUND_UNKNOWN_PARTNER')
  state.partner = name
  const user = readActAs(req.headers, req.rawHeaders)
  const read = readBody(req, runtime.config.outbound.replayMaxBytes)
  const body = read instanceof Promise ? await read : read
  state.result = await outbound.call({ partner: name, method: req.method ?? 'GET', pathAndQuery: rest, headers: req.headers, user, body, inFlight: state })
  relay(state.result, res, partner)
}

function logCall(state: CallState, req: IncomingMessage, res: ServerResponse, log: Logger): void {
  const status = state.error?.status ?? (res.writableFinished ? res.statusCode : 0)
  const durationMs = Math.round((performance.now() - state.startedAt) * 1000) / 1000
  // 0: the exchange broke off before it completed (a side went away); counted as 499, nginx's "client closed".
  state.runtime.outbound.events.onOutbound(state.partner, statusClassOf(status || 499), {
    authType: state.result?.token.authType, outcome: callOutcome(state.error, res.writableFinished), durationMs,
  })
  const { result, error } = state
  // Flat fields, serialized by hand as pino would (log/flat-line.ts, issue 11); an error's detail takes pino's path.
  const fields = {
    method: req.method,
    partner: state.partner,
    path: rawPathOf(req.url ?? ''),
    status: status || undefined,
    outcome: error !== undefined ? 'error' : res.writableFinished ? 'ok' : 'aborted',
    durationMs,
    authType: result?.token.authType,
    retried: result?.retried,
    resent: result?.resent === true ? true : undefined,
    x5t: result?.token.x5t,
  }
  if (error === undefined) logFlatLine(log, fields, 'outbound call')
  else log.info({ ...fields, code: error.code, ...error.detail }, 'outbound call')
}

/** The requests_total outcome of an outbound call: the inbound vocabulary (issue 13). */
function callOutcome(error: GatewayError | undefined, finished: boolean): string {
  if (error === undefined) return finished ? 'ok' : 'aborted'
  return outcomeOfError(error)
}

/** An upgrade (WebSocket, h2c) is answered on its socket: there is no response object for it. */
function refuseUpgrade(req: IncomingMessage, socket: Duplex, log: Logger): void {
  const err = new GatewayError('GW_NOT_IMPLEMENTED', { detail: { problem: 'upgrade' } })
  writeErrorOnSocket(socket, err)
  log.info({ listener: 'outbound', method: req.method, path: rawPathOf(req.url ?? ''), status: err.status, outcome: 'bad_request', code: err.code, problem: 'upgrade' }, 'request')
}

export function createOutboundServer(opts: OutboundServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    const state: CallState = { runtime: opts.holder.current, partner: 'unknown', startedAt: performance.now(), exchange: undefined, abandoned: false }
    res.once('close', () => {
      // The backend went away before the partner answered: stop the call (relay() handles a relayed answer).
      if (state.result === undefined && !res.writableFinished) abandonCall(state)
      logCall(state, req, res, opts.log)
    })
    handle(req, res, state, opts).catch((err: unknown) => {
      if (state.abandoned) return // its line says `aborted`; nobody is left to answer
      const error = toGatewayError(err)
      state.error = error
      logError(opts.log, error)
      writeOutboundError(res, error, state.partner)
      // Whatever the backend still sends is not read; close rather than keep a half-read connection.
      if (!req.complete) res.once('finish', () => req.socket.destroy())
    })
  })
  // WebSockets and other upgrades are not relayed in this version: our 501 and a line, nothing reaches a partner.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => refuseUpgrade(req, socket, opts.log))
  // Not a forward proxy: CONNECT gets our 400 and a log line (without a listener, Node drops the socket unanswered).
  server.on('connect', (_req, socket) => refuseConnect(socket, opts.log, 'outbound'))
  // A request Node's parser refused: our catalogue answer and a line, not Node's bare 400 and silence.
  server.on('clientError', (error: Error, socket: Duplex) => refuseUnparsed(error, socket, opts.log, 'outbound'))
  return server
}
