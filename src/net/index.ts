// Network edge shared by every listener and client: connection time bounds, listener guards (CONNECT, Node's parser
// refusals, body framing). Public API.
export { closeIfBodyUnread, guardConnections, listenerLimits, untrackConnection } from './connection-guard.js'
export { assertMediaType, assertPlainContentLength, continueIfExpected, installHttpGuards, refuseConnect } from './http-guards.js'
