// Outbound: one HTTP exchange with a partner (node:http/https over the partner's keep-alive agent). Resolves
// with the response once its headers arrive; connection faults become GW_OUTBOUND_UNREACHABLE (502), and silence
// longer than timeoutMs, or a response head not complete timeoutMs after the request was sent, GW_OUTBOUND_TIMEOUT
// (504), with a fixed reason for the log; so does a call that waited timeoutMs for a free connection (all of
// outbound.maxSocketsPerPartner busy), without reaching the partner.
import http from 'node:http'
import https from 'node:https'
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { GatewayError } from '../errors/index.js'
import type { OutboundBody } from './partner-headers.js'
import type { PartnerEndpoint } from './partner-table.js'
import { boundQueueWait, classifySocketError, type IdleLimit, type SocketFault } from '../net/index.js'

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
  request: ClientRequest
  response: Promise<IncomingMessage>
}

class PartnerTimeout extends Error {
  override readonly name = 'PartnerTimeout'
}

export function classifyFault(err: unknown): PartnerFault {
  return err instanceof PartnerTimeout ? 'timeout' : classifySocketError(err)
}

export function faultError(err: unknown, detail: Record<string, unknown>): GatewayError {
  const fault = classifyFault(err)
  const code = fault === 'timeout' ? 'GW_OUTBOUND_TIMEOUT' : 'GW_OUTBOUND_UNREACHABLE'
  return new GatewayError(code, { cause: err, detail: { ...detail, fault } })
}

/** Start the exchange; the body is written (buffer) or piped (stream) at once. */
export function send(opts: SendOptions, detail: Record<string, unknown>): Exchange {
  const { endpoint } = opts
  const request = (endpoint.protocol === 'https:' ? https : http).request({
    method: opts.method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port,
    path: opts.path,
    headers: opts.headers,
    agent: opts.agent,
  })
  const response = new Promise<IncomingMessage>((resolve, reject) => {
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
      settled()
      reject(faultError(err, detail))
    })
    request.once('close', settled)
    // Queued for a free connection (every one busy): the wait is bounded like the answer. (One closure per call:
    // the answer needs this promise's reject.)
    boundQueueWait(opts.agent, opts.timeoutMs, () => {
      const err = new PartnerTimeout(`no connection to the partner free within ${opts.timeoutMs} ms`)
      request.destroy(err)
      settled()
      reject(faultError(err, { ...detail, reason: 'no_free_connection' }))
    }, undefined)
  })
  // A rejection nobody awaits yet (the caller may be writing the body) must not crash the process.
  response.catch(() => {})
  const { body } = opts
  if (body.kind === 'buffer') {
    request.end(body.data)
  } else {
    if (body.head.length > 0) request.write(body.head)
    body.rest.pipe(request)
  }
  return { request, response }
}
