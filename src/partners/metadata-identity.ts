// Who we trust: read a partner's identity (principal id and realm) from its metadata document,
// following Exchange's AuthMetadataParser order (docs/PROTOCOL.md §1.6). Used by metadata-parse.ts.
import type { PartnerIdentity } from './types.js'
import { getString } from './json-fields.js'

/** Ids and realms are GUIDs or domain names in practice; anything longer is refused. */
const MAX_PART_CHARS = 256
/** No whitespace or control characters anywhere; no '/' in the principal id (docs/PROTOCOL.md §7.8). */
const BAD_ID = /[\s\u0000-\u001f\u007f/]/
const BAD_REALM = /[\s\u0000-\u001f\u007f]/

/** `id` and `realm` lowercased, or undefined when either is empty or malformed. Realm "*" is allowed. */
export function toIdentity(id: string | undefined, realm: string | undefined): PartnerIdentity | undefined {
  if (id === undefined || realm === undefined) return undefined
  if (id.length === 0 || realm.length === 0) return undefined
  if (id.length > MAX_PART_CHARS || realm.length > MAX_PART_CHARS) return undefined
  if (BAD_ID.test(id) || BAD_REALM.test(realm)) return undefined
  return { id: id.toLowerCase(), realm: realm.toLowerCase() }
}

/** Split a full principal name `<id>@<realm>` at the LAST '@' (docs/PROTOCOL.md §0); both parts non-empty. */
export function splitPrincipal(principal: string | undefined): PartnerIdentity | undefined {
  if (principal === undefined) return undefined
  const at = principal.lastIndexOf('@')
  if (at <= 0) return undefined
  return toIdentity(principal.slice(0, at), principal.slice(at + 1))
}

/**
 * The publisher's identity. For `version: "Exchange/1.0"` the explicit serviceName/realm fields come first;
 * otherwise `issuer` split at the last '@' comes first, with serviceName + realm as the fallback.
 */
export function readIdentity(doc: unknown): PartnerIdentity | undefined {
  const fromFields = (): PartnerIdentity | undefined =>
    toIdentity(getString(doc, 'serviceName'), getString(doc, 'realm'))
  const fromIssuer = (): PartnerIdentity | undefined => splitPrincipal(getString(doc, 'issuer'))
  const version = getString(doc, 'version')
  if (version?.toLowerCase() === 'exchange/1.0') return fromFields() ?? fromIssuer()
  return fromIssuer() ?? fromFields()
}
