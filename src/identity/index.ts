// Identity: public API of the verified-claims -> upstream-headers step.
export {
  IDENTITY_HEADERS,
  IDENTITY_PREFIX,
  applyIdentityHeaders,
  encodeHeaderValue,
  isForwardedName,
  isIdentityHeaderName,
  stripIdentityHeaders,
} from './headers.js'
export type { AuthType, Identity, UserClaims } from './types.js'
export { isClientClaimName, setForwardedHeaders } from './forwarded.js'
export { hopByHopNames, withoutHopByHop } from './hop-headers.js'
