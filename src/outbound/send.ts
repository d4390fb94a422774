// Outbound: one HTTP exchange with a partner (node:http/https over the partner's keep-alive agent). Resolves
// with the response once its headers arrive; connection faults become GW_OUTBOUND_UNREACHABLE (502), and silence
// longer than timeoutMs, or a response head not complete timeoutMs after the request was sent, GW_OUTBOUND_TIMEOUT
// (504), with a fixed reason for the log; so does a call that waited timeoutMs for a free connection (all of
// outbound.maxSocketsPerPartner busy), without reaching the partner. A safe call without a body whose reused
// connection is reset before any answer goes out once more on a connection of its own (net/stale-connection.ts).
import http from 'node:http'
import https from 'node:https'
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { GatewayError } from '../errors/index.js'
import type { OutboundBody } from './partner-headers.js'
import type { PartnerEndpoint } from './partner-table.js'
import { boundQueueWait, classifySocketError, metStaleConnection, RESENDABLE_METHODS, type IdleLimit, type SocketFault } from '../net/index.js'

export type PartnerFault = 'timeout' | SocketFault

export interface SendOptions {
  endpoint: PartnerEndpoint
  /** Path and query, as targetPath gives them. */
  path: string
  method: string
  headers: OutgoingHttpHeaders
  body: OutboundBody
  /** Socket inactivity allowed, and time from the request sent to the complete response head, ms (outbound.timeoutMs). */
  timeoutMs: number
  agent: http.Agent
  /** Told the partner's Keep-Alive hint of each response (the agent's idle limit). */
  idle: IdleLimit
}

export interface Exchange {
  /** The request in flight: the second one once a call met a stale connection and was sent again. */
  request: ClientRequest
  response: Promise<IncomingMessage>
  /** Sent a second time, on a connection of its own (see net/stale-connection.ts). */
  resent: boolean
}

class PartnerTimeout extends Error {
  override readonly name = 'PartnerTimeout'
}

/** Why a call's exchange was destroyed when the listener's caller went away first. */
export class CallAbandoned extends Error {
  override readonly name = 'CallAbandoned'
}

/**
 * A call's hold on its exchange while the partner has not answered: the listener's caller (our backend) may go
 * away in that time, and the exchange must then end too, not hold a partner connection until `timeoutMs`.
 */
export interface InFlight {
  /** The exchange once sent (start() in outbound.ts keeps it here). */
  exchange: Exchange | undefined
  /** Set when the caller went away: a call not sent yet is not sent, one in flight is destroyed. */
  abandoned: boolean
}

/** The caller went away before the partner answered: stop the call, wherever it is. */
export function abandonCall(inFlight: InFlight): void {
  inFlight.abandoned = true
  inFlight.exchange?.request.destroy(new CallAbandoned('the caller went away before the partner answered'))
}

export function classifyFault(err: unknown): PartnerFault {
  return err instanceof PartnerTimeout ? 'timeout' : classifySocketError(err)
}

export function faultError(err: unknown, detail: Record<string, unknown>): GatewayError {
  const fault = classifyFault(err)
  const code = fault === 'timeout' ? 'GW_OUTBOUND_TIMEOUT' : 'GW_OUTBOUND_UNREACHABLE'
  return new GatewayError(code, { cause: err, detail: { ...detail, fault } })
}

/**
 * A connection of its own for the one resend (`agent: false`: a one-off agent, `Connection: close`), with the
 * partner agent's TLS settings: its CA, and verification on.
 */
function ownConnection(agent: http.Agent): Pick<https.RequestOptions, 'agent' | 'ca' | 'rejectUnauthorized'> {
  if (!(agent instanceof https.Agent)) return { agent: false }
  return { agent: false, ca: agent.options.ca, rejectUnauthorized: agent.options.rejectUnauthorized }
}

function open(opts: SendOptions, connection: Pick<https.RequestOptions, 'agent' | 'ca' | 'rejectUnauthorized'>): ClientRequest {
  const { endpoint } = opts
  return (endpoint.protocol === 'https:' ? https : http).request({
    method: opts.method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port,
    path: opts.path,
    headers: opts.headers,
    ...connection,
  })
}

/** A call that met a stale connection, when sending it again cannot matter: a safe method, no body. */
function mayResend(err: unknown, request: ClientRequest, opts: SendOptions): boolean {
  const { body } = opts
  return metStaleConnection(err, request) && RESENDABLE_METHODS.has(opts.method) && body.kind === 'buffer' && body.data.length === 0
}

/**
 * Start the exchange; the body is written (buffer) or piped (stream) at once. A call that meets a stale
 * connection before any answer is sent once more when mayResend allows (`onResend` is told), else it fails.
 */
export function send(opts: SendOptions, detail: { partner: string } & Record<string, unknown>, onResend?: (partner: string) => void): Exchange {
  const exchange: Exchange = { request: open(opts, { agent: opts.agent }), response: undefined as unknown as Promise<IncomingMessage>, resent: false }
  exchange.response = new Promise<IncomingMessage>((resolve, reject) => {
    const watch = (request: ClientRequest): void => {
      request.setTimeout(opts.timeoutMs, () => request.destroy(new PartnerTimeout(`no answer within ${opts.timeoutMs} ms`)))
      // Socket inactivity alone let a partner trickling its response head (a byte now and then) hold the call for
      // as long as it liked: once the request is sent, the whole head must arrive within timeoutMs.
      let answered = false
      let headDeadline: NodeJS.Timeout | undefined
      const settled = (): void => {
        answered = true
        clearTimeout(headDeadline)
      }
      request.once('finish', () => {
        if (answered) return
        headDeadline = setTimeout(() => request.destroy(new PartnerTimeout(`no complete response head within ${opts.timeoutMs} ms`)), opts.timeoutMs)
      })
      request.once('response', (res) => {
        settled()
        opts.idle.noteHint(res.socket, res.headers['keep-alive'])
        resolve(res)
      })
      request.once('error', (err) => {
        const before = answered
        settled()
        if (before || exchange.resent || !mayResend(err, request, opts)) return reject(faultError(err, detail))
        exchange.resent = true
        onResend?.(detail.partner)
        const again = open(opts, ownConnection(opts.agent))
        exchange.request = again
        watch(again)
        again.end()
      })
      request.once('close', settled)
    }
    watch(exchange.request)
    // Queued for a free connection (every one busy): the wait is bounded like the answer. (One closure per call:
    // the answer needs this promise's reject.)
    boundQueueWait(opts.agent, opts.timeoutMs, () => {
      const err = new PartnerTimeout(`no connection to the partner free within ${opts.timeoutMs} ms`)
      exchange.request.destroy(err)
      reject(faultError(err, { ...detail, reason: 'no_free_connection' }))
    }, undefined)
  })
  // A rejection nobody awaits yet (the caller may be writing the body) must not crash the process.
  exchange.response.catch(() => {})
  const { body } = opts
  const { request } = exchange
  if (body.kind === 'buffer') {
    request.end(body.data)
  } else {
    if (body.head.length > 0) request.write(body.head)
    body.rest.pipe(request)
  }
  return exchange
}
