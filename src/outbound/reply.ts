// Outbound: error answers of the outbound listener. The same catalogue and headers as the inbound side
// (proxy/reply-error.ts), plus the GW_ code and, for partner faults, which partner and what failed: the caller
// is our own backend, which needs to tell "no such partner" from "partner down" from "partner slow".
import type { ServerResponse } from 'node:http'
import { publicBody, type GatewayError } from '../errors/index.js'
import { closeIfBodyUnread } from '../proxy/connection-guard.js'
import { errorHeaders } from '../proxy/reply-error.js'

export function outboundErrorBody(err: GatewayError, partner: string): Record<string, unknown> {
  const body: Record<string, unknown> = { ...publicBody(err), code: err.code }
  if (partner !== 'unknown') body['partner'] = partner
  const fault = err.detail['fault']
  if (typeof fault === 'string') body['fault'] = fault
  return body
}

export function writeOutboundError(res: ServerResponse, err: GatewayError, partner: string): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = JSON.stringify(outboundErrorBody(err, partner))
  closeIfBodyUnread(res.req, res)
  res.writeHead(err.status, { ...errorHeaders(err, undefined), 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
