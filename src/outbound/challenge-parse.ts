// Outbound: read a partner's `WWW-Authenticate` challenges (RFC 9110 §11.6.1) for realm discovery (docs/PROTOCOL.md
// §5.1-5.3). Accepts SharePoint's no-space style and Exchange's space-after-comma style, several challenges per
// field or several fields, parameter names in any case, quoted or bare values; `realm` may be absent.

/** One challenge: lowercase scheme, parameters by lowercase name (first occurrence wins). */
export interface AuthChallenge {
  scheme: string
  params: ReadonlyMap<string, string>
  /** The token68 form (`Negotiate abc==`), when used instead of parameters. */
  token68?: string
}

/** What a `Bearer` challenge tells an S2S caller. Empty values are treated as absent. */
export interface BearerChallenge {
  /** The resource's realm: goes after the '@' in aud. */
  realm?: string
  /** The resource's principal id: goes before the '/' in aud. */
  clientId?: string
  /** `id@realm` entries the resource accepts; [] when the parameter is present but empty (Lync). */
  trustedIssuers?: string[]
  error?: string
  errorDescription?: string
}

const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/
const TOKEN68_CHAR = /[A-Za-z0-9._~+/-]/

/** A position in one header field value. `ch()` is a method, not a getter, so comparisons never narrow it. */
class Cursor {
  i = 0
  readonly s: string
  constructor(s: string) {
    this.s = s
  }
  done(): boolean {
    return this.i >= this.s.length
  }
  ch(): string {
    return this.s[this.i] ?? ''
  }
  skipSpace(): void {
    while (this.ch() === ' ' || this.ch() === '\t') this.i++
  }
  read(pattern: RegExp): string {
    const start = this.i
    while (!this.done() && pattern.test(this.ch())) this.i++
    return this.s.slice(start, this.i)
  }
  /** A quoted-string with backslash escapes; an unterminated one runs to the end. */
  readQuoted(): string {
    let value = ''
    this.i++ // opening quote
    while (!this.done() && this.ch() !== '"') {
      if (this.ch() === '\\' && this.i + 1 < this.s.length) this.i++
      value += this.ch()
      this.i++
    }
    this.i++ // closing quote
    return value
  }
}

/** A token68 right after the scheme: token68 characters, '=' padding, then a comma or the end. */
function readToken68(c: Cursor): string | undefined {
  const start = c.i
  const body = c.read(TOKEN68_CHAR)
  const pad = c.read(/=/)
  c.skipSpace()
  if (body !== '' && (c.done() || c.ch() === ',')) return body + pad
  c.i = start
  return undefined
}

function parseField(value: string, out: AuthChallenge[]): void {
  const c = new Cursor(value)
  let current: { scheme: string; params: Map<string, string>; token68?: string } | undefined
  while (!c.done()) {
    c.skipSpace()
    if (c.ch() === ',') {
      c.i++
      continue
    }
    const name = c.read(TCHAR)
    if (name === '') {
      c.i++ // junk: skip it rather than give up on the rest
      continue
    }
    c.skipSpace()
    if (c.ch() === '=' && current !== undefined) {
      c.i++
      c.skipSpace()
      const param = c.ch() === '"' ? c.readQuoted() : c.read(TCHAR)
      const key = name.toLowerCase()
      if (!current.params.has(key)) current.params.set(key, param)
      continue
    }
    current = { scheme: name.toLowerCase(), params: new Map() }
    out.push(current)
    if (!c.done() && c.ch() !== ',') {
      const token68 = readToken68(c)
      if (token68 !== undefined) current.token68 = token68
    }
  }
}

/** Every challenge in the given header field values, in order. */
export function parseAuthenticate(values: string | readonly string[] | undefined): AuthChallenge[] {
  const out: AuthChallenge[] = []
  if (values === undefined) return out
  for (const value of typeof values === 'string' ? [values] : values) parseField(value, out)
  return out
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim())

/** The first `Bearer` challenge's S2S parameters, or undefined when there is none. */
export function readBearerChallenge(values: string | readonly string[] | undefined): BearerChallenge | undefined {
  const bearer = parseAuthenticate(values).find((challenge) => challenge.scheme === 'bearer')
  if (bearer === undefined) return undefined
  const get = (name: string): string | undefined => nonEmpty(bearer.params.get(name))
  const result: BearerChallenge = {}
  const realm = get('realm')
  const clientId = get('client_id')
  const error = get('error')
  const errorDescription = get('error_description')
  if (realm !== undefined) result.realm = realm
  if (clientId !== undefined) result.clientId = clientId
  const issuers = bearer.params.get('trusted_issuers')
  if (issuers !== undefined) result.trustedIssuers = issuers.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (error !== undefined) result.error = error
  if (errorDescription !== undefined) result.errorDescription = errorDescription
  return result
}

/**
 * True when `trustedIssuers` names us: `<serviceId>@<issuerRealm>` or `<serviceId>@*`, compared case-insensitively
 * (docs/PROTOCOL.md §5.5 step 2).
 */
export function listsIssuer(trustedIssuers: readonly string[], serviceId: string, issuerRealm: string): boolean {
  const id = serviceId.toLowerCase()
  const wanted = new Set([`${id}@${issuerRealm.toLowerCase()}`, `${id}@*`])
  return trustedIssuers.some((entry) => wanted.has(entry.toLowerCase()))
}
