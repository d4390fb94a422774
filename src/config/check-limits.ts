// Config: semantic checks of the admission limits (issue 14 §1): a burst needs a rate to refill it, whether both
// come from the partner, from the top-level defaults, or one from each.
import type { GatewayConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'

export function checkLimits(config: GatewayConfig, out: ProblemCollector): void {
  if (config.limits.burst !== undefined && config.limits.ratePerSec === undefined) {
    out.problem('limits.burst', 'needs limits.ratePerSec (the bucket has nothing to refill it)')
  }
  config.partners.forEach((partner, i) => {
    const own = partner.limits
    if (own?.burst === undefined) return
    if (own.ratePerSec === undefined && config.limits.ratePerSec === undefined) {
      out.problem(`partners[${i}].limits.burst`, 'needs a ratePerSec (its own or limits.ratePerSec)')
    }
  })
}
