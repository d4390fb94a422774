// Access: why a request is allowed or denied, entry by entry (issue 10), for `access explain` and
// `token inspect`. Runs the decision's own matchers (decide.ts), so it cannot tell a different story.
import { decideFacts, denyMismatch, factsOf, permissionMismatch, type AccessRequest, type Mismatch, type RequestFacts } from './decide.js'
import type { AccessDecision } from './policy.js'
import type { CompiledEntry, CompiledPolicy } from './policy.js'

export interface EntryVerdict {
  kind: 'deny' | 'permission'
  name: string
  /** undefined: this entry matched. */
  mismatch: Mismatch | undefined
  /** One line for people: what did not match. */
  text: string
}

export interface Explanation {
  decision: AccessDecision
  /** The partner has no `permissions` (unrestricted except access.deny). */
  unrestricted: boolean
  entries: EntryVerdict[]
}

function methodsText(entry: CompiledEntry): string {
  return entry.methods === undefined ? 'any method' : [...entry.methods].join(', ')
}

function whyNot(entry: CompiledEntry, facts: RequestFacts, mismatch: Mismatch, kind: 'deny' | 'permission'): string {
  switch (mismatch) {
    case 'method': {
      const missing = kind === 'deny' ? facts.methods : facts.methods.filter((m) => entry.methods !== undefined && !entry.methods.has(m))
      return kind === 'deny' ? `method: ${missing.join(', ')} not in [${methodsText(entry)}]` : `method: ${missing.join(', ')} not granted (grants ${methodsText(entry)})`
    }
    case 'path':
      if (facts.segments === undefined) return 'path: has a . or .. segment once ; parameters are dropped; no pattern matches it'
      return `path: matches none of ${entry.patterns.map((p) => p.text).join(', ')}`
    case 'calls':
      return `call type: ${facts.callType} call, entry covers ${entry.calls} calls only`
    case 'users':
      return facts.user === undefined ? 'users: not a user call' : 'users: not every user claim (upn, smtp, sip, nameid without nii) matches its users'
  }
}

/** The decision, and one verdict per access.deny entry and per permission of the partner, in checking order. */
export function explainAccess(policy: CompiledPolicy, request: AccessRequest): Explanation {
  const facts = factsOf(policy, request)
  const entries: EntryVerdict[] = []
  for (const entry of policy.deny) {
    const mismatch = denyMismatch(entry, facts)
    entries.push({ kind: 'deny', name: entry.name, mismatch, text: mismatch === undefined ? 'matched: denied' : whyNot(entry, facts, mismatch, 'deny') })
  }
  const permissions = policy.partners.get(request.partner)
  for (const entry of permissions ?? []) {
    const mismatch = permissionMismatch(entry, facts)
    entries.push({ kind: 'permission', name: entry.name, mismatch, text: mismatch === undefined ? 'matched' : whyNot(entry, facts, mismatch, 'permission') })
  }
  return { decision: decideFacts(policy, request.partner, facts), unrestricted: permissions === undefined, entries }
}
