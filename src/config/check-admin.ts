// Config: semantic checks of the admin section. The reload token is a secret: problems name its path and
// length rule, never its value.
import type { GatewayConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'

/** Shorter tokens are refused: POST /reload may be reachable from the pod network. */
export const MIN_RELOAD_TOKEN_LENGTH = 16

export function checkAdmin(admin: GatewayConfig['admin'], out: ProblemCollector): void {
  const token = admin.reloadToken
  if (token === undefined) return
  if (token.length < MIN_RELOAD_TOKEN_LENGTH) {
    out.problem('admin.reloadToken', `must be at least ${MIN_RELOAD_TOKEN_LENGTH} characters (the value is not shown)`)
  } else if (/\s/.test(token)) {
    out.problem('admin.reloadToken', 'must not contain whitespace (the value is not shown)')
  }
}
