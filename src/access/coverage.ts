// Access: does an earlier permission make a later one unreachable (issue 10, check-config warning)? Sound but
// not complete: it says yes only when every request the later entry grants is certainly granted by the earlier.
import type { CompiledEntry } from './policy.js'
import { globMatches, type CompiledPattern } from './pattern.js'
import type { UserPattern } from './users.js'

/** Pattern text -> segment list as compiled (trailing slash dropped, case folded when asked). */
function segmentsOf(pattern: CompiledPattern, fold: boolean): string[] {
  const parts = pattern.text.split('/').slice(1)
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return fold ? parts.map((s) => s.replace(/[A-Z]+/g, (x) => x.toLowerCase())) : parts
}

function segmentCovers(p: string, q: string): boolean {
  if (!p.includes('*')) return p === q
  if (!q.includes('*')) return globMatches(p, q)
  return p === '*' || p === q
}

/** Every path `q` matches is matched by `p`. Patterns are short, so plain recursion is fine. */
function patternCovers(p: readonly string[], q: readonly string[]): boolean {
  if (p.length === 0) return q.length === 0
  const [head, ...rest] = p as [string, ...string[]]
  if (head === '**') {
    for (let i = 0; i <= q.length; i++) if (patternCovers(rest, q.slice(i))) return true
    return false
  }
  if (q.length === 0 || q[0] === '**') return false
  return segmentCovers(head, q[0] as string) && patternCovers(rest, q.slice(1))
}

function userCovers(a: UserPattern, b: UserPattern): boolean {
  if ('domain' in a) return ('domain' in b && b.domain === a.domain) || ('exact' in b && b.exact.endsWith(`@${a.domain}`))
  if ('subdomainsOf' in a) {
    const under = (d: string): boolean => d.endsWith(`.${a.subdomainsOf}`)
    if ('subdomainsOf' in b) return b.subdomainsOf === a.subdomainsOf || under(b.subdomainsOf)
    if ('domain' in b) return under(b.domain)
    return under(b.exact.slice(b.exact.lastIndexOf('@') + 1))
  }
  return 'exact' in b && b.exact === a.exact
}

/** True when `earlier` grants everything `later` grants, so `later` can never be the entry that decides. */
export function coversEntry(earlier: CompiledEntry, later: CompiledEntry, fold: boolean): boolean {
  if (earlier.methods !== undefined) {
    if (later.methods === undefined) return false
    for (const m of later.methods) if (!earlier.methods.has(m)) return false
  }
  if (earlier.calls !== 'any' && earlier.calls !== later.calls) return false
  if (earlier.users !== undefined) {
    if (later.users === undefined) return false
    if (!later.users.every((b) => earlier.users?.some((a) => userCovers(a, b)))) return false
  }
  return later.patterns.every((q) => earlier.patterns.some((p) => patternCovers(segmentsOf(p, fold), segmentsOf(q, fold))))
}
