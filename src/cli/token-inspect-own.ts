// CLI: `token inspect` on a token this gateway issued (an outbound token, iss = our service.id): say so, and check
// its signature against our own published certificates, since the inbound validator rightly refuses it.
import { verify } from 'node:crypto'
import type { GatewayConfig } from '../schema/index.js'
import { loadIssuerKeys } from '../issuer/index.js'
import type { DecodedToken } from './token-inspect-decode.js'

/** Lines describing our own token, or undefined when another issuer made it. */
export function describeOwnToken(token: DecodedToken, config: GatewayConfig, nowMs: number): string[] | undefined {
  const iss = String(token.actor.claims['iss'] ?? '')
  if (iss.slice(0, iss.lastIndexOf('@')).toLowerCase() !== config.service.id) return undefined
  const lines = [`iss ${iss} is this gateway: a token it issued for a call to a partner (aud ${String(token.actor.claims['aud'])}); inbound, it is never accepted`]
  const x5t = String(token.actor.header['x5t'] ?? '')
  const key = loadIssuerKeys(config.issuer, nowMs).published.find((k) => k.x5t === x5t)
  if (key === undefined) return [...lines, `its x5t ${x5t} is not among our published certificates: partners cannot verify it`]
  const [h, p, s] = token.kind === 'user' ? String(token.outer?.claims['actortoken']).split('.') : token.text.split('.')
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s ?? '', 'base64url'))
  return [...lines, ok ? `signed by our published certificate ${x5t} (${key.subject}): the signature verifies` : `its signature does NOT verify with our certificate ${x5t}`]
}
