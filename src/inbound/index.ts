// Inbound: the inbound listener and its one request handler: path guard, public routes, then each stage in
// order (tokens/, access/, limits/, identity/, upstream/), one answer and one access line per request. Public API.
export { REJECTED_OUTCOMES, outcomeOfError, userForLog, type AccessRecord, type Outcome, type RequestObserver } from './access-log.js'
export { requestIdOf } from './inbound-call.js'
export { createInboundListener, type InboundListener } from './inbound-listener.js'
export { assertUnambiguousTarget, findPathProblem, rawPathOf } from './path-guard.js'
export type { InboundRuntime, RuntimeHolder } from './runtime-view.js'
