// Errors: the catalogue (every answer the gateway gives), the one rule for the level an error is logged at, and
// the one writer every listener answers an error with.
export { GatewayError, publicBody, toGatewayError, tokenInvalid, type ErrorCode, type TokenRejectReason } from './catalogue.js'
