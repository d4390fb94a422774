// Who we trust: a snapshot on disk is only as trustworthy as whoever can write it. A well-formed file with the
// pinned issuer and someone else's certificate passes every document check, so the file system decides, as ssh's
// StrictModes does: the directory and the file must be owned by the gateway's own user (or root) and writable by
// no one else, and the file must be a regular file, not a symbolic link. check-config applies the same rule to
// metadata.cacheDir, so a directory the store would refuse is reported before the gateway starts.

/** The fields of a Stats this rule reads. */
export interface OwnedStat {
  uid: number
  mode: number
}

/**
 * Why `stat` of `what` (e.g. "the directory /var/lib/x") must not be trusted by the user `uid`
 * (`process.getuid?.()`), or undefined. Without uids (Windows) mode bits mean nothing, so nothing is checked.
 */
export function ownershipProblem(stat: OwnedStat, what: string, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined
  if (stat.uid !== uid && stat.uid !== 0) return `${what} is owned by uid ${stat.uid}, not by ${uid === 0 ? 'root' : `this user (uid ${uid}) or root`}`
  const group = (stat.mode & 0o020) !== 0
  const others = (stat.mode & 0o002) !== 0
  if (!group && !others) return undefined
  const mode = (stat.mode & 0o7777).toString(8).padStart(4, '0')
  return `${what} is writable by ${group && others ? 'group and others' : group ? 'its group' : 'others'} (mode ${mode})`
}
