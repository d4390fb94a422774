// Access: the rights table (issue 10). A right names a fixed method set, like SharePoint's Read/Write/FullControl;
// a `methods` list names its own. UPGRADE is reserved for a WebSocket upgrade, which opens a two-way channel.

export type Right = 'read' | 'write' | 'full'

/** Safe and WebDAV/DeltaV/SEARCH read methods (RFC 9110 §9.2.1, RFC 4918, RFC 3253, RFC 5323). */
export const READ_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'REPORT', 'SEARCH']

/** read + every method that changes state (MERGE: SharePoint/OData's partial update over X-HTTP-Method). */
export const WRITE_METHODS: readonly string[] = [
  ...READ_METHODS, 'POST', 'PUT', 'PATCH', 'DELETE', 'MERGE', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PROPPATCH',
]

/** The method name a WebSocket (any) upgrade request is checked as, in addition to its own method. */
export const UPGRADE_METHOD = 'UPGRADE'

export const RIGHTS: readonly Right[] = ['read', 'write', 'full']

/** The methods a right grants; undefined for `full` (any method, UPGRADE included). */
export function methodsOfRight(right: Right): ReadonlySet<string> | undefined {
  if (right === 'full') return undefined
  if (right === 'read') return new Set(READ_METHODS)
  return new Set([...WRITE_METHODS, UPGRADE_METHOD])
}
