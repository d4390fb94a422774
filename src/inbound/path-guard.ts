// Inbound: refuse request targets whose meaning could differ between us and the backend, before routing.
// The path we forward is the path we checked, byte for byte; `;` is an ordinary character and is kept.
import { GatewayError } from '../errors/index.js'

export type PathProblem =
  | 'not_origin_form' // absolute-form (`http://host/x`), authority-form, asterisk-form
  | 'fragment'
  | 'backslash'
  | 'encoded_separator' // %2F, %5C
  | 'dot_segment' // `.`, `..`, `%2e`, `%2E%2e` ...
  | 'empty_segment' // `//`
  | 'bad_encoding' // `%zz`, `%0`, encoded NUL

/** The path part of a raw request target (without the query). */
export function rawPathOf(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

// Only characters that can change the meaning of a path are looked at; everything else passes untouched.
const SUSPICIOUS = /[#\\%]|\/\.|\/\//

/** What a guard refuses beyond the common rules. */
export interface PathGuardOptions {
  /**
   * `..;x` and `.;x` are dot segments (issue 10): a servlet container drops `;` parameters before resolving
   * them. Inbound only: the outbound listener keeps such a segment as a path at the partner it names.
   */
  paramDotSegments?: boolean
}

/** Returns the first problem found in a raw request target, or undefined when it is unambiguous. */
export function findPathProblem(url: string, options: PathGuardOptions = {}): PathProblem | undefined {
  if (url.charCodeAt(0) !== 0x2f /* / */) return 'not_origin_form'
  const path = rawPathOf(url)
  if (url.includes('#')) return 'fragment'
  if (!SUSPICIOUS.test(path)) return undefined
  if (path.includes('\\')) return 'backslash'
  if (path.includes('//')) return 'empty_segment'
  return checkSegments(path, options.paramDotSegments === true)
}

function checkSegments(path: string, paramDotSegments: boolean): PathProblem | undefined {
  for (const segment of path.split('/')) {
    if (segment.includes('%')) {
      const problem = checkEncoding(segment)
      if (problem !== undefined) return problem
    }
    // `..;x` is `..` to a servlet container, which drops `;` parameters before resolving dot segments (issue 10).
    const semi = paramDotSegments ? segment.indexOf(';') : -1
    const plain = (semi === -1 ? segment : segment.slice(0, semi)).replace(/%2e/gi, '.')
    if (plain === '.' || plain === '..') return 'dot_segment'
  }
  return undefined
}

function checkEncoding(segment: string): PathProblem | undefined {
  for (let i = segment.indexOf('%'); i !== -1; i = segment.indexOf('%', i + 1)) {
    const hex = segment.slice(i + 1, i + 3)
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return 'bad_encoding'
    const byte = Number.parseInt(hex, 16)
    if (byte === 0x2f || byte === 0x5c) return 'encoded_separator'
    if (byte === 0x00) return 'bad_encoding'
  }
  // Percent-encoded bytes that are no UTF-8 (`%C0%AF`, an overlong `/`; a cut-off `%E0%80`) decode differently in
  // different stacks: refused like a bad escape.
  try {
    decodeURIComponent(segment)
  } catch {
    return 'bad_encoding'
  }
  return undefined
}

/** Throws GW_BAD_REQUEST (400) for an ambiguous target; the reason goes to the log only. */
export function assertUnambiguousTarget(url: string, options: PathGuardOptions = {}): void {
  const problem = findPathProblem(url, options)
  if (problem !== undefined) throw new GatewayError('GW_BAD_REQUEST', { detail: { pathProblem: problem } })
}
