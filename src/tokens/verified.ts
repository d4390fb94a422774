// Token validation: what a verified token yields, shared by the self-issued (verify-token.ts) and the
// authorization-server (authz-verify.ts) paths and kept by the token cache.
import type { Identity } from '../identity/index.js'
import type { Partner } from '../partners/index.js'

/** Filled in as validation learns things, so a failure can still be attributed (metrics label, log detail). */
export interface ValidationTrace {
  /** Registered partner name, or 'unknown' before the issuer was found. */
  partner: string
}

/** A fully verified token: what the token cache keeps. */
export interface VerifiedToken {
  identity: Identity
  /** The registry's partner object at verification time: a reload replaces it and so invalidates the cache. */
  partner: Partner
  trustedForDelegation: boolean
  /** Whose keys verified: `partner` itself, or an authorization server's metadata (identity.authorizationServer). */
  keyHolder: Partner
}
