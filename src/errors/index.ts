// Errors, public API: the catalogue (every answer the gateway gives), the one rule for the level an error is logged
// at, and the one writer every listener answers an error with.
export { GatewayError, publicBody, toGatewayError, tokenInvalid, type ErrorCode, type Fault, type TokenRejectReason } from './catalogue.js'
export { levelOf, logError, logFields, type LogLevel } from './level.js'
export { errorAnswer, errorBody, errorHeaders, retryAfterOf, writeErrorAnswer, writeErrorOnSocket, type AnswerOptions, type Challenge, type ErrorAnswer } from './answer.js'
export { closeIfBodyUnread, setRejectedBodyLimit, unreadMayExceed } from './unread-body.js'
