// Net: a bound on the wait for a free keep-alive connection. When all its maxSockets are busy, Node's agent keeps a
// new request in `agent.requests` until a socket is free, and a request's own timeout only starts once it has a
// socket: without a bound of our own, a saturated backend or partner would hold callers for as long as the queue
// takes. Call right after the request was made: if the agent queued it, `expired(queued, context)` runs after `ms`
// unless a socket came first (a shared `expired` and a context spare the hot path a closure per request). A
// destroyed queued request reports its error only once handed a socket (it then gives the socket straight back), so
// `expired` answers the caller itself.
import type { Agent, ClientRequest } from 'node:http'

/** The request the agent queued last, if any; right after a request was made, that request if it was queued. */
function lastQueuedRequest(agent: Agent): ClientRequest | undefined {
  // `requests` has a key only while some request waits (Node deletes an emptied queue's key): usually none.
  for (const name in agent.requests) {
    const queue = agent.requests[name]
    if (queue !== undefined && queue.length > 0) return queue[queue.length - 1]
  }
  return undefined
}

export function boundQueueWait<C>(agent: Agent, ms: number, expired: (queued: ClientRequest, context: C) => void, context: C): void {
  const queued = lastQueuedRequest(agent)
  if (queued === undefined) return
  const timer = setTimeout(expired, ms, queued, context)
  queued.once('socket', () => clearTimeout(timer))
}
