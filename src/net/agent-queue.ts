// Net: the request a keep-alive agent has just queued. When all its maxSockets are busy, Node's agent keeps a new
// request in `agent.requests` until a socket is free, and a request's own timeout only starts once it has a socket:
// without a bound of our own, a saturated backend or partner would hold callers for as long as the queue takes.
import type { Agent, ClientRequest } from 'node:http'

/** The request the agent queued last, if any; right after a request was made, that request if it was queued. */
export function lastQueuedRequest(agent: Agent): ClientRequest | undefined {
  // `requests` has a key only while some request waits (Node deletes an emptied queue's key): usually none.
  for (const name in agent.requests) {
    const queue = agent.requests[name]
    if (queue !== undefined && queue.length > 0) return queue[queue.length - 1]
  }
  return undefined
}
