// Access: the request path as the matcher reads it (issue 10). Never the query; percent-encoded unreserved
// characters decoded (RFC 3986 §6.2.2.2); each segment's `;` parameters dropped, as servlet containers do; ASCII
// case folded when asked (IIS). Every other escape becomes one opaque character that no pattern letter can equal,
// so `/a%2Fb` or `/x%20` can only ever match a `*`, and its hex digits can never pass for pattern text.

/** Opaque stand-ins for still-encoded bytes: the Private Use Area (patterns are ASCII, so never contain them). */
const OPAQUE_BASE = 0xe000

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e
  )
}

function hexValue(text: string, at: number): number {
  const hex = text.slice(at, at + 2)
  return /^[0-9a-fA-F]{2}$/.test(hex) ? Number.parseInt(hex, 16) : -1
}

/** Decode one segment's escapes: unreserved to their character, others to an opaque stand-in. */
function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment
  let out = ''
  let from = 0
  for (let i = segment.indexOf('%'); i !== -1; i = segment.indexOf('%', from)) {
    const byte = hexValue(segment, i + 1)
    if (byte === -1) {
      // A lone `%` (the path guard refuses these first): opaque, like any other non-pattern text.
      out += segment.slice(from, i) + String.fromCharCode(OPAQUE_BASE + 0x25)
      from = i + 1
      continue
    }
    out += segment.slice(from, i) + (isUnreserved(byte) ? String.fromCharCode(byte) : String.fromCharCode(OPAQUE_BASE + byte))
    from = i + 3
  }
  return out + segment.slice(from)
}

/** A-Z to a-z only: Unicode folding turns some non-ASCII letters into ASCII ones (U+212A KELVIN SIGN -> k). */
export function foldAscii(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : text
}

/**
 * The segments the matcher compares, or undefined when a segment becomes `.` or `..` once its parameters are
 * dropped and unreserved escapes decoded (`..;x`, `%2e%2e;`): a backend would resolve it, so nothing may match it.
 * A trailing slash is not a segment of its own: `/api/org/` and `/api/org` are the same path to the matcher.
 */
export function pathSegments(rawPath: string, caseInsensitive: boolean): string[] | undefined {
  let path = rawPath
  const cut = path.search(/[?#]/)
  if (cut !== -1) path = path.slice(0, cut)
  const parts = path.split('/')
  parts.shift() // before the leading `/`
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  for (let i = 0; i < parts.length; i++) {
    let segment = parts[i] as string
    const semi = segment.indexOf(';')
    if (semi !== -1) segment = segment.slice(0, semi)
    segment = decodeSegment(segment)
    if (segment === '.' || segment === '..') return undefined
    parts[i] = caseInsensitive ? foldAscii(segment) : segment
  }
  return parts
}
