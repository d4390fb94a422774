// Identity: public API of the verified-claims -> upstream-headers step.
export {
  IDENTITY_HEADERS,
  IDENTITY_PREFIX,
  applyIdentityHeaders,
  encodeHeaderValue,
  isIdentityHeaderName,
  stripIdentityHeaders,
} from './headers.js'
export type { AuthType, Identity, UserClaims } from './types.js'
export { createTrustedProxies, isClientClaimName, isTrusted, setForwardedHeaders } from './forwarded.js'
export { stripHopByHop } from './hop-headers.js'
