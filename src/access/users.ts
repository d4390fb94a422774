// Access: `users` patterns over a user call's claims (issue 10). The outer token is unsigned (the partner vouches
// for the user), so a user matches only when EVERY identifying claim it carries matches a pattern: a token cannot
// pass by adding one matching claim next to a foreign one. A SID-only user never matches.
import { foldAscii } from './normalize.js'

/** The user claims a decision reads (tokens/ UserClaims has the same names). */
export interface UserFacts {
  nameid?: string
  nii?: string
  upn?: string
  smtp?: string
  sip?: string
}

export type UserPattern = { exact: string } | { domain: string } | { subdomainsOf: string }

const LOCAL = "[A-Za-z0-9!#$&'+./=^_`{|}~-]+"
const DOMAIN = '[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*'
const FORMS = {
  exact: new RegExp(`^${LOCAL}@${DOMAIN}$`),
  domain: new RegExp(`^\\*@${DOMAIN}$`),
  subdomainsOf: new RegExp(`^\\*@\\*\\.${DOMAIN}$`),
}

/** Why a users entry is refused: only `*@domain`, `*@*.domain` and exact addresses are patterns. */
export function userPatternProblem(pattern: string): string | undefined {
  if (FORMS.exact.test(pattern) || FORMS.domain.test(pattern) || FORMS.subdomainsOf.test(pattern)) return undefined
  return 'must be *@domain, *@*.domain or an exact address (user@domain)'
}

export function compileUserPattern(pattern: string): UserPattern {
  const text = foldAscii(pattern)
  if (text.startsWith('*@*.')) return { subdomainsOf: text.slice(4) }
  if (text.startsWith('*@')) return { domain: text.slice(2) }
  return { exact: text }
}

function addressMatches(pattern: UserPattern, address: string): boolean {
  if ('exact' in pattern) return address === pattern.exact
  const at = address.lastIndexOf('@')
  if (at <= 0) return false
  const domain = address.slice(at + 1)
  if ('domain' in pattern) return domain === pattern.domain
  return domain.endsWith(`.${pattern.subdomainsOf}`) && domain.length > pattern.subdomainsOf.length + 1
}

/** The claims that name the user: upn, smtp, sip, and nameid when it is a UPN (no nii). */
export function identifyingClaims(user: UserFacts): string[] {
  const out: string[] = []
  if (user.upn !== undefined) out.push(user.upn)
  if (user.smtp !== undefined) out.push(user.smtp)
  if (user.sip !== undefined) out.push(user.sip.replace(/^sip:/i, ''))
  if (user.nameid !== undefined && user.nii === undefined) out.push(user.nameid)
  return out
}

/** True when the user has at least one identifying claim and every one of them matches some pattern. */
export function usersMatch(patterns: readonly UserPattern[], user: UserFacts): boolean {
  const claims = identifyingClaims(user)
  if (claims.length === 0) return false
  return claims.every((claim) => {
    const address = foldAscii(claim)
    return patterns.some((p) => addressMatches(p, address))
  })
}
