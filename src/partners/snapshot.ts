// Who we trust: last-known-good metadata documents on disk (issue 14 §2), so a restart during a partner's outage
// keeps its keys. One file per kind and name, written atomically (temporary file, fsync, rename), files 0600; a
// missing directory is created 0700, an existing one is never chmod-ed (it may be shared on purpose, or not ours
// to change). A file is read only when neither it nor the directory can be written by anyone but us or root
// (snapshot-trust.ts); even then it is only a candidate: partner.ts runs it through the same parser and pins as
// a fetched document. Never throws to its callers: a broken disk costs the snapshot, not the partner.
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../log/index.js'
import { ownershipProblem } from './snapshot-trust.js'

/** A partner and an authorization server may share a name, so each kind has its own files. */
export type SnapshotKind = 'partner' | 'authorization-server'

export interface Snapshot {
  /** The metadata URL the document was fetched from; a snapshot of another URL is ignored. */
  url: string
  /** When it was fetched, epoch ms. Its keys age from this moment, not from when the snapshot is read. */
  fetchedAt: number
  document: unknown
}

export interface SnapshotStore {
  readonly dir: string
  write(kind: SnapshotKind, name: string, snapshot: Snapshot): Promise<void>
  /** The snapshot, or undefined when there is none or it cannot be read (logged). */
  read(kind: SnapshotKind, name: string): Promise<Snapshot | undefined>
  /** Delete every snapshot of `kind` whose name is not in `keep` (a partner removed by a reload). */
  prune(kind: SnapshotKind, keep: ReadonlySet<string>): Promise<void>
}

const FORMAT = 1
const SUFFIX = '.json'

/** A file name that cannot escape the directory and tells the kind apart: `<kind>.<readable name>.<hash>.json`. */
export function snapshotFileName(kind: SnapshotKind, name: string): string {
  const readable = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16)
  return `${kind}.${readable}.${hash}${SUFFIX}`
}

export function createSnapshotStore(dir: string, log: Logger): SnapshotStore {
  let prepared: Promise<void> | undefined
  let writes = 0
  const ensureDir = (): Promise<void> => {
    prepared ??= mkdir(dir, { recursive: true, mode: 0o700 }).then(() => undefined)
    return prepared
  }
  /** Why the directory must not hold snapshots (read or written), or undefined. Throws when it cannot be read. */
  const directoryProblem = async (): Promise<string | undefined> => {
    const found = await stat(dir)
    return found.isDirectory() ? ownershipProblem(found, `the directory ${dir}`, process.getuid?.()) : `${dir} is not a directory`
  }

  async function write(kind: SnapshotKind, name: string, snapshot: Snapshot): Promise<void> {
    const file = join(dir, snapshotFileName(kind, name))
    const temporary = `${file}.${process.pid}.${(writes += 1)}.tmp`
    const body = JSON.stringify({ format: FORMAT, kind, name, url: snapshot.url, fetchedAt: new Date(snapshot.fetchedAt).toISOString(), document: snapshot.document })
    try {
      await ensureDir()
      const why = await directoryProblem()
      if (why !== undefined) return log.warn({ kind, name, why }, 'metadata snapshot not written: another user could replace it')
      const handle = await open(temporary, 'wx', 0o600)
      try {
        await handle.chmod(0o600) // whatever the umask
        await handle.writeFile(body, 'utf8')
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, file)
      await syncDir(dir)
    } catch (err) {
      prepared = undefined
      await rm(temporary, { force: true }).catch(() => undefined)
      log.warn({ kind, name, code: errorCode(err) }, 'could not write the metadata snapshot')
    }
  }

  async function read(kind: SnapshotKind, name: string): Promise<Snapshot | undefined> {
    let text: string
    try {
      const trusted = await readTrusted(snapshotFileName(kind, name))
      // The reason names paths and modes, never the file's content: whoever planted it chose that.
      if ('why' in trusted) return void log.warn({ kind, name, why: trusted.why }, 'metadata snapshot refused: another user could have written it')
      text = trusted.text
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') log.warn({ kind, name, code: errorCode(err) }, 'could not read the metadata snapshot')
      return undefined
    }
    const snapshot = parseSnapshot(text, kind, name)
    if (snapshot === undefined) log.warn({ kind, name }, 'metadata snapshot refused: not a snapshot file of this entry')
    return snapshot
  }

  /** The file's text when it and its directory pass the ownership rule, else why not. Throws ENOENT and the like. */
  async function readTrusted(fileName: string): Promise<{ text: string } | { why: string }> {
    const file = join(dir, fileName)
    const dirWhy = await directoryProblem()
    if (dirWhy !== undefined) return { why: dirWhy }
    // lstat first, so a symbolic link, FIFO or device is refused without being opened (a FIFO would block the open).
    if (!(await lstat(file)).isFile()) return { why: `${file} is not a regular file` }
    let handle: FileHandle
    try {
      // O_NOFOLLOW: a link swapped in after the lstat is refused too (ELOOP).
      handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0))
    } catch (err) {
      if (errorCode(err) === 'ELOOP') return { why: `${file} is not a regular file` }
      throw err
    }
    try {
      // The opened file's own stat: what is read is what was judged.
      const opened = await handle.stat()
      const why = opened.isFile() ? ownershipProblem(opened, `the file ${file}`, process.getuid?.()) : `${file} is not a regular file`
      return why === undefined ? { text: await handle.readFile('utf8') } : { why }
    } finally {
      await handle.close()
    }
  }

  async function prune(kind: SnapshotKind, keep: ReadonlySet<string>): Promise<void> {
    let files: string[]
    try {
      files = await readdir(dir)
    } catch {
      return
    }
    const kept = new Set([...keep].map((name) => snapshotFileName(kind, name)))
    const stale = files.filter((f) => f.startsWith(`${kind}.`) && f.endsWith(SUFFIX) && !kept.has(f))
    for (const file of stale) {
      await rm(join(dir, file), { force: true }).catch((err: unknown) => log.warn({ kind, file, code: errorCode(err) }, 'could not delete a metadata snapshot'))
      log.info({ kind, file }, 'metadata snapshot of a removed entry deleted')
    }
  }

  return { dir, write, read, prune }
}

/** The snapshot in `text` when it is one of ours for this kind and name, else undefined. */
export function parseSnapshot(text: string, kind: SnapshotKind, name: string): Snapshot | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof raw !== 'object' || raw === null) return undefined
  const r = raw as Record<string, unknown>
  if (r.format !== FORMAT || r.kind !== kind || r.name !== name || typeof r.url !== 'string' || typeof r.fetchedAt !== 'string') return undefined
  const fetchedAt = Date.parse(r.fetchedAt)
  if (!Number.isFinite(fetchedAt) || r.document === undefined) return undefined
  return { url: r.url, fetchedAt, document: r.document }
}

/** Why a snapshot may not serve a partner configured with `url`, or undefined: the URL changed, or it is too old. */
export function snapshotProblem(snapshot: Snapshot, url: string, nowMs: number, maxStaleSec: number): string | undefined {
  if (snapshot.url !== url) return 'fetched from another URL'
  const ageMs = nowMs - snapshot.fetchedAt
  if (ageMs >= maxStaleSec * 1000) return 'older than metadata.maxStaleSec'
  if (ageMs < -60_000) return 'dated in the future'
  return undefined
}

/** fsync the directory so the rename survives a crash; not every platform can open a directory. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // best effort
  }
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'unknown'
}
