// Token validation, public API: inbound/ extracts the bearer token and validates it; identity/ reads the Identity.
export { bearerText, extractBearer } from './extract.js'
export { normaliseHost, parseAudience, parsePrincipal, type Audience, type Principal } from './principal.js'
export {
  createTokenValidator,
  type TokenEvents,
  type TokenResult,
  type TokenValidator,
  type TokenValidatorDeps,
} from './validate.js'
export { createChallenge, type Challenge } from './challenge.js'
export { type MaybePromise } from './maybe-async.js'
