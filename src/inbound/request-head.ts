// Inbound: the one pass over a request's raw header block. It counts what Node folds silently (Host, Authorization:
// Node keeps the first of each) and notes whether any name needs the header rewrite's slower checks or may be a
// method override, so a request without x-s2s-*, `_`, client-claim or override names is decided and rewritten
// without walking its headers again.
import { isIdentityHeaderName } from '../identity/index.js'
import { isClientClaimName } from '../identity/index.js'
import type { InboundCall } from './inbound-call.js'

/**
 * Names that start like a client claim (x-..., forwarded, fastly-client-ip, true-client-ip), or are as long as the
 * two that start with `c` (client-ip, cf-connecting-ip): content-* and cookie stay on the fast path.
 */
function mayBeClaim(first: number, length: number): boolean {
  if (first === 0x78 || first === 0x58 || first === 0x66 || first === 0x46 || first === 0x74 || first === 0x54) return true
  return (first === 0x63 || first === 0x43) && (length === 9 || length === 16)
}

/** `x-h...` or `x-m...` (either separator, any case): X-HTTP-Method, X-HTTP-Method-Override, X-Method-Override. */
function mayBeOverride(name: string): boolean {
  const separator = name.charCodeAt(1)
  const third = name.charCodeAt(2) | 0x20
  return (separator === 0x2d || separator === 0x5f) && (third === 0x68 || third === 0x6d)
}

export function scanRequestHead(call: InboundCall): void {
  const raw = call.req.rawHeaders
  let hosts = 0
  let authorizations = 0
  let suspect = false
  let overrides = false
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const length = name.length
    const first = name.charCodeAt(0)
    if (length === 4) {
      if (name.toLowerCase() === 'host') hosts++
    } else if (length === 13) {
      if (name.toLowerCase() === 'authorization') authorizations++
    }
    // 'x-http-method' .. 'x-http-method-override', in any case or `_` spelling: parsed by authorize.ts when seen.
    if (length >= 13 && length <= 22 && (first === 0x78 || first === 0x58) && mayBeOverride(name)) overrides = true
    if (suspect || !mayBeClaim(first, length) && !name.includes('_')) continue
    const lower = name.toLowerCase()
    suspect = lower.includes('_') || isIdentityHeaderName(lower) || isClientClaimName(lower) || lower.startsWith('x-forwarded-')
  }
  call.hosts = hosts
  call.authorizations = authorizations
  call.suspectHeaders = suspect
  call.overrideHeaders = overrides
}
