// Config: checks of `access` and `partners[].permissions` (issue 10). Every bad pattern, right, method, user
// pattern and duplicate name is a problem; a permission an earlier one makes unreachable, and a partner without
// permissions, are warnings. Fills in default names, so logs, explain and x-s2s-permission always have one.
import { METHODS } from 'node:http'
import { compilePolicy, coversEntry, pathSegments, patternProblem, UPGRADE_METHOD, userPatternProblem, type CompiledPolicy } from '../access/index.js'
import type { GatewayConfig, PermissionConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'

/** Methods Node's HTTP parser accepts, plus UPGRADE (reserved for WebSocket upgrades). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([...METHODS, UPGRADE_METHOD])
const NAME = /^[A-Za-z0-9][A-Za-z0-9._#:-]{0,63}$/

function checkPaths(paths: readonly string[], at: string, out: ProblemCollector): void {
  paths.forEach((pattern, i) => {
    const problem = patternProblem(pattern)
    if (problem !== undefined) out.problem(`${at}.paths[${i}]`, problem)
  })
}

function checkMethods(methods: readonly string[] | undefined, at: string, out: ProblemCollector): void {
  methods?.forEach((method, i) => {
    if (KNOWN_METHODS.has(method)) return
    const upper = method.toUpperCase()
    const hint = KNOWN_METHODS.has(upper) ? ` (write ${upper}: method names are case-sensitive)` : ''
    out.problem(`${at}.methods[${i}]`, `unknown method ${JSON.stringify(method)}${hint}`)
  })
}

function checkName(entry: { name: string }, at: string, fallback: string, seen: Map<string, string>, out: ProblemCollector): void {
  if ((entry.name as string | undefined) === undefined) entry.name = fallback
  else if (!NAME.test(entry.name)) return out.problem(`${at}.name`, 'must be 1-64 characters of A-Z a-z 0-9 . _ # : - (starting with a letter or digit)')
  const first = seen.get(entry.name)
  if (first !== undefined) return out.problem(`${at}.name`, `repeats the name of ${first}`)
  seen.set(entry.name, at)
}

function checkPermission(permission: PermissionConfig, at: string, out: ProblemCollector): void {
  checkPaths(permission.paths, at, out)
  if ((permission.right === undefined) === (permission.methods === undefined)) {
    out.problem(at, 'give exactly one of right and methods')
  }
  checkMethods(permission.methods, at, out)
  if (permission.users !== undefined) {
    if (permission.calls === 'app') out.problem(`${at}.users`, 'applies to user calls only: it cannot go with calls: app')
    permission.users.forEach((user, i) => {
      const problem = userPatternProblem(user)
      if (problem !== undefined) out.problem(`${at}.users[${i}]`, problem)
    })
  }
}

/** A public path skips authentication, and with it every access rule: say so when a deny entry names one. */
function warnPublicDenied(config: GatewayConfig, policy: CompiledPolicy, out: ProblemCollector): void {
  config.publicPaths.forEach((path, i) => {
    const segments = pathSegments(path, policy.caseInsensitivePaths)
    const entry = segments === undefined ? undefined : policy.deny.find((d) => d.patterns.some((p) => p.matches(segments)))
    if (entry !== undefined) out.warn(`publicPaths[${i}]`, `${path} is public: access.deny "${entry.name}" does not apply to it (public paths skip authentication and the access rules)`)
  })
}

function warnUnreachable(config: GatewayConfig, policy: CompiledPolicy, out: ProblemCollector): void {
  config.partners.forEach((partner, i) => {
    const entries = policy.partners.get(partner.name) ?? []
    entries.forEach((later, j) => {
      const earlier = entries.slice(0, j).find((e) => coversEntry(e, later, config.access.caseInsensitivePaths))
      if (earlier !== undefined) out.warn(`partners[${i}].permissions[${j}]`, `"${later.name}" is unreachable: "${earlier.name}" before it grants everything it grants`)
    })
  })
}

export function checkAccess(config: GatewayConfig, out: ProblemCollector): void {
  const denyNames = new Map<string, string>()
  config.access.deny.forEach((entry, i) => {
    const at = `access.deny[${i}]`
    if (out.isInvalid(at)) return
    checkName(entry, at, `deny#${i}`, denyNames, out)
    checkPaths(entry.paths, at, out)
    checkMethods(entry.methods, at, out)
  })
  config.partners.forEach((partner, i) => {
    const at = `partners[${i}].permissions`
    if (out.isInvalid(at) || out.isInvalid(`partners[${i}]`)) return
    if (partner.permissions === undefined) {
      out.warn(`partners[${i}]`, `no permissions: ${partner.name} may call every path with any method (list permissions, or [] for none)`)
      return
    }
    const names = new Map<string, string>()
    partner.permissions.forEach((permission, j) => {
      const entryAt = `${at}[${j}]`
      if (out.isInvalid(entryAt)) return
      checkName(permission, entryAt, `${partner.name}#${j}`, names, out)
      checkPermission(permission, entryAt, out)
    })
  })
  if (out.problems.length > 0) return
  const policy = compilePolicy(config.access, config.partners)
  warnUnreachable(config, policy, out)
  warnPublicDenied(config, policy, out)
}
