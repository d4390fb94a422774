// Outbound: the dialect of the outbound listener's error answers, on top of the one error writer (errors/answer.ts):
// the body adds the GW_ code and, for partner faults, which partner and what failed, because the caller is our own
// backend, which needs to tell "no such partner" from "partner down" from "partner slow".
import type { ServerResponse } from 'node:http'
import { writeErrorAnswer, type GatewayError } from '../errors/index.js'

/** The fields after `error` and `message`: code, then partner (once the path named one) and fault. */
export function outboundErrorFields(err: GatewayError, partner: string): Record<string, unknown> {
  const fields: Record<string, unknown> = { code: err.code }
  if (partner !== 'unknown') fields['partner'] = partner
  const fault = err.detail['fault']
  if (typeof fault === 'string') fields['fault'] = fault
  return fields
}

export function writeOutboundError(res: ServerResponse, err: GatewayError, partner: string): void {
  writeErrorAnswer(res, err, { fields: outboundErrorFields(err, partner) })
}
