// Net: how long a keep-alive agent keeps an idle connection (upstream.idleTimeoutMs, outbound.idleTimeoutMs). Node's
// agent keeps one for ever unless it has a `timeout`, and an agent `timeout` would also become the timeout of the next
// request on that socket (Node lowers it to the server's Keep-Alive hint and does not raise it again). A server that
// closes an idle connection while we send it a request answers with a reset, which the client sees as a 502. So:
// an idle connection is closed once it has been idle for the limit, or for its server's announced
// `Keep-Alive: timeout=N` less one second (as Node's agent reckons it), whichever is shorter; a hint of one second
// or less means the connection is not kept at all. One timer per agent sweeps the idle list while it holds a socket
// (none runs for an agent with nothing pooled); a request pays one property store when its socket is released,
// nothing when it is reused.
import type { Agent } from 'node:http'
import type { Socket } from 'node:net'

/** The sweep's period; an idle connection is closed within one period short of its limit, never after it. */
export const IDLE_SWEEP_MS = 500

const kFreedAt = Symbol('s2s-gateway.idleSince')
const kSweeps = Symbol('s2s-gateway.idleSweeps')

type PooledSocket = Socket & { [kFreedAt]?: number; [kSweeps]?: number | undefined }

export interface IdleLimit {
  /** The server's Keep-Alive header on a response read from `socket` (call before the header is dropped). */
  noteHint(socket: Socket | null, hint: string | string[] | undefined): void
  /** Stop the sweep (the agent is closed or retired). */
  stop(): void
}

/** How many sweeps an idle socket may see: its idle time then stays under `ms` (0: not kept). */
function sweepsFor(ms: number): number {
  return Math.max(0, Math.floor(ms / IDLE_SWEEP_MS))
}

/** `timeout=N` of a Keep-Alive header, in ms less Node's one-second margin; undefined when it names none. */
export function keepAliveHintMs(hint: string | string[] | undefined): number | undefined {
  const text = Array.isArray(hint) ? hint[0] : hint
  if (text === undefined) return undefined
  const match = /(?:^|[\s,])timeout\s*=\s*(\d{1,9})/i.exec(text)
  return match === null ? undefined : Number(match[1]) * 1000 - 1000
}

/** Bound `agent`'s idle connections by `idleTimeoutMs` and by each server's Keep-Alive hint. */
export function limitIdleSockets(agent: Agent, idleTimeoutMs: number): IdleLimit {
  const defaultSweeps = sweepsFor(idleTimeoutMs)
  let sweep = 0
  let lastHint: string | undefined
  let lastHintSweeps = defaultSweeps

  let timer: NodeJS.Timeout | undefined
  let stopped = false

  function sweepIdle(): void {
    sweep++
    let left = 0
    for (const list of Object.values(agent.freeSockets)) {
      if (list === undefined) continue
      for (const socket of [...list] as PooledSocket[]) {
        if (sweep - (socket[kFreedAt] ?? sweep) >= (socket[kSweeps] ?? defaultSweeps)) socket.destroy()
        else left++
      }
    }
    if (left === 0) {
      clearInterval(timer)
      timer = undefined
    }
  }

  // Node's own rule first (it also refuses a socket whose server hinted a second or less); typed `void` in @types/node,
  // but the agent destroys the socket when it returns a falsy value.
  const keepSocketAlive = agent.keepSocketAlive.bind(agent) as unknown as (socket: PooledSocket) => boolean
  agent.keepSocketAlive = (socket: PooledSocket): boolean => {
    if (!keepSocketAlive(socket)) return false
    if ((socket[kSweeps] ?? defaultSweeps) === 0) return false
    socket[kFreedAt] = sweep
    if (timer === undefined && !stopped) {
      timer = setInterval(sweepIdle, IDLE_SWEEP_MS)
      timer.unref()
    }
    return true
  }

  return {
    noteHint(socket, hint) {
      if (socket === null) return
      const pooled = socket as PooledSocket
      if (hint === undefined) {
        if (pooled[kSweeps] !== undefined) pooled[kSweeps] = undefined
        return
      }
      // A backend sends the same hint on every response: parse it once.
      if (typeof hint !== 'string' || hint !== lastHint) {
        const ms = keepAliveHintMs(hint)
        lastHintSweeps = ms === undefined ? defaultSweeps : Math.min(defaultSweeps, sweepsFor(ms))
        lastHint = typeof hint === 'string' ? hint : undefined
      }
      pooled[kSweeps] = lastHintSweeps
    },
    stop() {
      stopped = true
      clearInterval(timer)
      timer = undefined
    },
  }
}
