// Network edge shared by every listener and client: the one capped HTTP client and the URLs it may request,
// socket fault classification, loopback and address lists, TLS client options, HTTP status classes, connection
// time bounds and listener guards (CONNECT, Node's parser refusals, body framing). Public API.
export { guardConnections, listenerLimits, untrackConnection } from './connection-guard.js'
export { assertMediaType, assertPlainContentLength, continueIfExpected, installHttpGuards, refuseConnect } from './http-guards.js'
export {
  requestCapped,
  CappedRequestError,
  type CappedRequestFailure,
  type CappedRequestOptions,
  type CappedResponse,
  type FetchSettings,
  type LookupFunction,
} from './capped-request.js'
export { checkFetchUrl } from './fetch-url.js'
export { classifySocketError, errorCode, isTlsErrorCode, type SocketFault } from './fault.js'
export { createAddressList, isListedAddress, isLoopbackHost } from './address.js'
export { tlsClientOptions, type TlsClientSettings } from './tls-options.js'
export { statusClassOf, type StatusClass } from './status-class.js'
export { refuseUnparsed } from './http-guards.js'
export { IDLE_SWEEP_MS, keepAliveHintMs, limitIdleSockets, type IdleLimit } from './idle-sockets.js'
export { boundQueueWait } from './agent-queue.js'
export { metStaleConnection, RESENDABLE_METHODS } from './stale-connection.js'
