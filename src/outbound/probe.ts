// Outbound: the realm-discovery probe (docs/PROTOCOL.md §3.6, §5.3): a bodyless GET carrying an empty
// `Authorization: Bearer`, which makes S2S resources answer 401 with their `WWW-Authenticate: Bearer` challenge.
import { readBearerChallenge } from './challenge-parse.js'
import type { ProbeResult } from './discovery.js'
import { targetPath, type OutboundPartner } from './partner-table.js'
import { send } from './send.js'

/** GET `<outbound.url><path>` with `Authorization: Bearer ` and read the challenge; the body is discarded. */
export async function probePartner(partner: OutboundPartner, pathAndQuery: string, now: () => number): Promise<ProbeResult> {
  const exchange = send(
    {
      endpoint: partner.endpoint,
      path: targetPath(partner, pathAndQuery),
      method: 'GET',
      headers: { authorization: 'Bearer ', accept: '*/*', 'user-agent': 's2s-gateway' },
      body: { kind: 'buffer', data: Buffer.alloc(0), hadBody: false },
      timeoutMs: partner.outbound.timeoutMs,
      agent: partner.agent,
      idle: partner.idle,
    },
    { partner: partner.name, probe: true },
  )
  const response = await exchange.response
  response.resume()
  const status = response.statusCode ?? 0
  return { status, challenge: readBearerChallenge(response.headersDistinct['www-authenticate']), at: now() }
}
