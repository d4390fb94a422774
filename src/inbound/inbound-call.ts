// Inbound: the one per-request object of the inbound listener. Every field is set in the constructor, so each request
// has the same shape (one hidden class) and nothing is added on the way; the access line is built from it once.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { GatewayError } from '../errors/index.js'
import type { Identity } from '../identity/index.js'
import type { InboundRuntime } from './runtime-view.js'
import type { AccessOutcome } from './authorize.js'
import type { UpgradeContext } from '../upstream/index.js'

const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/
let requestCounter = 0
const ID_PREFIX = `gw-${process.pid.toString(36)}-`

/** Exchange's `client-request-id` when it is a plain id, else our own (logged, echoed). */
export function requestIdOf(given: string | string[] | undefined): string {
  if (typeof given === 'string' && REQUEST_ID.test(given)) return given
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER
  return ID_PREFIX + requestCounter.toString(36)
}

export class InboundCall {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** Pinned for the whole request: a reload in the middle changes nothing for it. */
  readonly runtime: InboundRuntime
  readonly id: string
  readonly startedAt: number
  /** The WebSocket handshake's socket and unread bytes, when the request came through the server's 'upgrade' event. */
  readonly upgrade: UpgradeContext | undefined
  /** From the one pass over the raw header block (request-head.ts). */
  hosts = 0
  authorizations = 0
  /** A name that needs the header rewrite's slower checks: x-s2s-* in any spelling, `_`, a forwarded claim. */
  suspectHeaders = false
  /** A name that may be a method-override header (X-HTTP-Method and kin): authorize.ts reads them only then. */
  overrideHeaders = false
  identity: Identity | undefined = undefined
  error: GatewayError | undefined = undefined
  /** Time spent authenticating (token validation included), ms. */
  authMs: number | undefined = undefined
  /** The backend's status and time to its response headers, once it answered. */
  upstreamStatus: number | undefined = undefined
  upstreamMs: number | undefined = undefined
  /** The access decision (issue 10), once an authenticated request was allowed (or shadow-denied). */
  access: AccessOutcome | undefined = undefined
  /** Releases the partner's concurrency slot (limits), once admitted. */
  release: (() => void) | undefined = undefined

  constructor(req: IncomingMessage, res: ServerResponse, runtime: InboundRuntime, id: string, upgrade: UpgradeContext | undefined) {
    this.req = req
    this.res = res
    this.runtime = runtime
    this.id = id
    this.startedAt = performance.now()
    this.upgrade = upgrade
  }
}
