// CLI: decode an S2S token for display (`token inspect`), leniently: whatever an operator pastes (with or without
// "Authorization: Bearer"), outer and actor, even when the strict validator (tokens/) would refuse it.

export interface DecodedPart {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  /** The signature segment is empty. */
  unsigned: boolean
}

export interface DecodedToken {
  /** The token as it will be validated (prefixes and whitespace removed). */
  text: string
  kind: 'app' | 'user'
  /** Present for a user-context token. */
  outer?: DecodedPart
  actor: DecodedPart
}

export class DecodeError extends Error {}

/** Remove `Authorization:`, `Bearer` and surrounding whitespace or quotes. */
export function cleanTokenText(input: string): string {
  return input.trim().replace(/^authorization\s*:\s*/i, '').replace(/^bearer\s+/i, '').replace(/^["']|["']$/g, '').trim()
}

function decodeSegment(segment: string | undefined, what: string): Record<string, unknown> {
  if (segment === undefined || segment === '') throw new DecodeError(`${what} is missing`)
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw new DecodeError(`${what} is not base64url JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DecodeError(`${what} is not a JSON object`)
  return value as Record<string, unknown>
}

function decodePart(token: string, what: string): DecodedPart {
  const segments = token.split('.')
  if (segments.length === 5) throw new DecodeError(`${what} has 5 segments: an encrypted JWE, not an S2S token`)
  if (segments.length !== 3) throw new DecodeError(`${what} has ${segments.length} segment(s); a JWS has 3 (header.payload.signature)`)
  return { header: decodeSegment(segments[0], `${what} header`), claims: decodeSegment(segments[1], `${what} payload`), unsigned: segments[2] === '' }
}

export function decodeToken(input: string): DecodedToken {
  const text = cleanTokenText(input)
  if (text === '') throw new DecodeError('no token given')
  const first = decodePart(text, 'the token')
  const actorText = first.claims['actortoken']
  if (String(first.header['alg']).toLowerCase() === 'none' && typeof actorText === 'string') {
    return { text, kind: 'user', outer: first, actor: decodePart(actorText, 'the actortoken') }
  }
  return { text, kind: 'app', actor: first }
}
