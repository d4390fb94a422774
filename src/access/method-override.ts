// Access: method-override headers (issue 10). SharePoint REST sends `X-HTTP-Method: MERGE` over POST, and
// ASP.NET, OData and Rails-style backends act on these headers, so the method a permission must cover is every
// method they name as well as the request's own. Ambiguity is refused rather than guessed at.

/** Lowercase, `-` form. `_` spellings count too: CGI-style backends read X_HTTP_Method as HTTP_X_HTTP_METHOD. */
export const METHOD_OVERRIDE_HEADERS: readonly string[] = ['x-http-method', 'x-http-method-override', 'x-method-override']

export type OverrideResult = { methods: readonly string[] } | { problem: 'override_repeated' | 'override_invalid' }

/**
 * A method an override header may name: letters, `-` and `_` (every registered method; nginx accepts no other
 * character in a request line's method). Narrower than RFC 9110's token on purpose: the shipped nginx and
 * ingress-nginx decision caches join these values with `|` into their keys, so a value allowed once must hold no
 * `|` that another request could shift to make the same key (deploy/nginx/s2s-gateway.conf).
 */
const OVERRIDE_METHOD = /^[A-Za-z_-]+$/

/** The usual answer (no override header), shared: nothing allocated per request. */
const NONE: OverrideResult = Object.freeze({ methods: Object.freeze([]) })

function overrideIndex(name: string): number {
  if (name.length < 13 || name.length > 22) return -1 // 'x-http-method'..'x-http-method-override'
  const first = name.charCodeAt(0)
  if (first !== 0x78 && first !== 0x58) return -1
  return METHOD_OVERRIDE_HEADERS.indexOf(name.toLowerCase().replace(/_/g, '-'))
}

/**
 * The methods named by override headers in a raw header list ([name, value, name, value, ...]), uppercased (a
 * backend may compare them case-insensitively). Each header may appear once, with one method name; a repeated
 * header (in any spelling), a list or an unparseable value is a problem (the caller answers 400).
 */
export function parseMethodOverrides(rawHeaders: readonly string[]): OverrideResult {
  let seen = 0
  let methods: string[] | undefined
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const index = overrideIndex(rawHeaders[i] as string)
    if (index === -1) continue
    const bit = 1 << index
    if ((seen & bit) !== 0) return { problem: 'override_repeated' }
    seen |= bit
    const value = (rawHeaders[i + 1] ?? '').trim()
    if (!OVERRIDE_METHOD.test(value)) return { problem: 'override_invalid' }
    ;(methods ??= []).push(value.toUpperCase())
  }
  return methods === undefined ? NONE : { methods }
}
