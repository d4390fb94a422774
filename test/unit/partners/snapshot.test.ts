// Unit: the snapshot store's naming and parsing rules (issue 14 §2): one file per kind and name that cannot
// leave its directory, and only our own format for the right entry is read back; and its trust rule: only a
// regular file that no one but us (or root) can write, in such a directory, is read at all.
import { chmodSync, chownSync, mkdtempSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { silentLogger, type Logger } from '../../../src/log/logger.js'
import { createSnapshotStore, parseSnapshot, snapshotFileName, snapshotProblem } from '../../../src/partners/snapshot.js'
import { ownershipProblem } from '../../../src/partners/snapshot-trust.js'

describe('snapshot file names', () => {
  it('a partner and an authorization server of the same name get different files', () => {
    expect(snapshotFileName('partner', 'acs')).not.toBe(snapshotFileName('authorization-server', 'acs'))
  })

  it('names that differ only in unsafe characters do not collide, and no name escapes the directory', () => {
    const names = ['../../etc/passwd', '..', 'a/b', 'a_b', 'a b', 'ä', '']
    const files = names.map((n) => snapshotFileName('partner', n))
    expect(new Set(files).size).toBe(names.length)
    for (const f of files) expect(f).toMatch(/^partner\.[A-Za-z0-9_-]*\.[0-9a-f]{16}\.json$/)
  })
})

describe('parseSnapshot', () => {
  const good = { format: 1, kind: 'partner', name: 'exchange', url: 'https://x/metadata/json/1', fetchedAt: '2026-12-01T00:00:00.000Z', document: { a: 1 } }
  it('reads back our own format', () => {
    expect(parseSnapshot(JSON.stringify(good), 'partner', 'exchange')).toEqual({ url: good.url, fetchedAt: Date.parse(good.fetchedAt), document: { a: 1 } })
  })
  it.each([
    ['another kind', { ...good, kind: 'authorization-server' }],
    ['another name', { ...good, name: 'lync' }],
    ['another format', { ...good, format: 2 }],
    ['a bad date', { ...good, fetchedAt: 'yesterday' }],
    ['no document', { ...good, document: undefined }],
  ])('refuses %s', (_what, raw) => {
    expect(parseSnapshot(JSON.stringify(raw), 'partner', 'exchange')).toBeUndefined()
  })
  it('refuses text that is not JSON', () => {
    expect(parseSnapshot('{"format":1', 'partner', 'exchange')).toBeUndefined()
  })
})

describe('snapshotProblem', () => {
  const snap = { url: 'https://x/m', fetchedAt: 1_000_000, document: {} }
  it('accepts a young snapshot of the configured URL', () => expect(snapshotProblem(snap, 'https://x/m', 1_000_000 + 5_000, 60)).toBeUndefined())
  it('ignores another URL', () => expect(snapshotProblem(snap, 'https://x/other', 1_000_000, 60)).toBe('fetched from another URL'))
  it('ignores one as old as maxStaleSec', () => expect(snapshotProblem(snap, 'https://x/m', 1_000_000 + 60_000, 60)).toBe('older than metadata.maxStaleSec'))
  it('ignores one dated in the future', () => expect(snapshotProblem(snap, 'https://x/m', 1_000_000 - 120_000, 60)).toBe('dated in the future'))
})

describe('createSnapshotStore', () => {
  it('prune deletes only the files of one kind whose names are not kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's2s-snap-unit-'))
    const store = createSnapshotStore(dir, silentLogger)
    const snap = { url: 'https://x/m', fetchedAt: Date.now(), document: {} }
    await store.write('partner', 'keep', snap)
    await store.write('partner', 'gone', snap)
    await store.write('authorization-server', 'gone', snap)
    writeFileSync(join(dir, 'README'), 'operator notes')
    await store.prune('partner', new Set(['keep']))
    expect(readdirSync(dir).sort()).toEqual([snapshotFileName('authorization-server', 'gone'), snapshotFileName('partner', 'keep'), 'README'].sort())
    expect(await store.read('partner', 'gone')).toBeUndefined()
    expect(await store.read('partner', 'keep')).toMatchObject({ url: 'https://x/m' })
  })
})

/** A logger that keeps warnings, so a test can read the reason a snapshot was refused. */
function recordingLogger(): Logger & { warnings: Array<[object, string | undefined]> } {
  const warnings: Array<[object, string | undefined]> = []
  const noop = (): void => {}
  return { warnings, debug: noop, info: noop, error: noop, warn: (obj, msg) => void warnings.push([obj, msg]) }
}

const SECRET_MARK = 'planted-content-marker'
const snap = (): { url: string; fetchedAt: number; document: unknown } => ({ url: 'https://x/m', fetchedAt: Date.now(), document: { note: SECRET_MARK } })
const NOBODY = 65534
const asRoot = process.getuid?.() === 0

describe('ownershipProblem (the StrictModes rule)', () => {
  it('trusts our own or root\'s entries that only the owner can write', () => {
    expect(ownershipProblem({ uid: 1000, mode: 0o40700 }, 'd', 1000)).toBeUndefined()
    expect(ownershipProblem({ uid: 0, mode: 0o100644 }, 'f', 1000)).toBeUndefined()
    expect(ownershipProblem({ uid: 0, mode: 0o41755 }, 'd', 0)).toBeUndefined()
  })
  it.each([
    [{ uid: 1000, mode: 0o40777 }, 1000, 'd is writable by group and others (mode 0777)'],
    [{ uid: 1000, mode: 0o41777 }, 1000, 'd is writable by group and others (mode 1777)'],
    [{ uid: 1000, mode: 0o40770 }, 1000, 'd is writable by its group (mode 0770)'],
    [{ uid: 1000, mode: 0o100602 }, 1000, 'd is writable by others (mode 0602)'],
    [{ uid: 1001, mode: 0o40700 }, 1000, 'd is owned by uid 1001, not by this user (uid 1000) or root'],
    [{ uid: 65534, mode: 0o40700 }, 0, 'd is owned by uid 65534, not by root'],
  ])('refuses %o for uid %i', (stat, uid, why) => {
    expect(ownershipProblem(stat, 'd', uid)).toBe(why)
  })
  it('checks nothing where there are no uids (Windows)', () => {
    expect(ownershipProblem({ uid: 1001, mode: 0o40777 }, 'd', undefined)).toBeUndefined()
  })
})

describe('the store trusts only what no other user can write', () => {
  /** A store over a fresh directory of ours holding one good snapshot of partner "exchange". */
  async function stored(dirMode = 0o700): Promise<{ dir: string; file: string; log: ReturnType<typeof recordingLogger>; store: ReturnType<typeof createSnapshotStore> }> {
    const dir = join(mkdtempSync(join(tmpdir(), 's2s-snap-trust-')), 'cache')
    const log = recordingLogger()
    const store = createSnapshotStore(dir, log)
    await store.write('partner', 'exchange', snap())
    expect(await store.read('partner', 'exchange')).toMatchObject({ url: 'https://x/m' })
    chmodSync(dir, dirMode)
    return { dir, file: join(dir, snapshotFileName('partner', 'exchange')), log, store }
  }
  const refusal = (log: ReturnType<typeof recordingLogger>): Record<string, unknown> | undefined =>
    log.warnings.find(([, msg]) => msg === 'metadata snapshot refused: another user could have written it')?.[0] as Record<string, unknown> | undefined

  it.each([
    ['world-writable', 0o777, 'writable by group and others (mode 0777)'],
    ['/tmp-like (sticky, world-writable)', 0o1777, 'writable by group and others (mode 1777)'],
    ['group-writable', 0o770, 'writable by its group (mode 0770)'],
  ])('refuses a snapshot in a %s directory, logging why and never the content', async (_what, mode, why) => {
    const { dir, log, store } = await stored(mode)
    expect(await store.read('partner', 'exchange')).toBeUndefined()
    expect(refusal(log)).toEqual({ kind: 'partner', name: 'exchange', why: `the directory ${dir} is ${why}` })
    expect(JSON.stringify(log.warnings)).not.toContain(SECRET_MARK)
  })

  it('refuses a file that group or others can write', async () => {
    const { file, log, store } = await stored()
    chmodSync(file, 0o666)
    expect(await store.read('partner', 'exchange')).toBeUndefined()
    expect(refusal(log)?.['why']).toBe(`the file ${file} is writable by group and others (mode 0666)`)
  })

  it('refuses a symbolic link, even to a good snapshot of ours', async () => {
    const { dir, file, log, store } = await stored()
    const elsewhere = join(dir, '..', 'real.json')
    renameSync(file, elsewhere)
    symlinkSync(elsewhere, file)
    expect(await store.read('partner', 'exchange')).toBeUndefined()
    expect(refusal(log)?.['why']).toBe(`${file} is not a regular file`)
  })

  it.skipIf(!asRoot)('refuses a file owned by another user (needs root to chown)', async () => {
    const { file, log, store } = await stored()
    chownSync(file, NOBODY, NOBODY)
    expect(await store.read('partner', 'exchange')).toBeUndefined()
    expect(refusal(log)?.['why']).toBe(`the file ${file} is owned by uid ${NOBODY}, not by root`)
  })

  it.skipIf(!asRoot)('refuses a directory owned by another user, even one only its owner can write (needs root to chown)', async () => {
    const { dir, log, store } = await stored()
    chownSync(dir, NOBODY, NOBODY)
    expect(await store.read('partner', 'exchange')).toBeUndefined()
    expect(refusal(log)?.['why']).toBe(`the directory ${dir} is owned by uid ${NOBODY}, not by root`)
  })

  it('never changes the mode of an existing directory, and writes nothing into one it would not read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's2s-snap-shared-'))
    chmodSync(dir, 0o1777)
    const log = recordingLogger()
    await createSnapshotStore(dir, log).write('partner', 'exchange', snap())
    expect(statSync(dir).mode & 0o7777).toBe(0o1777)
    expect(readdirSync(dir)).toEqual([])
    expect(log.warnings).toContainEqual([{ kind: 'partner', name: 'exchange', why: `the directory ${dir} is writable by group and others (mode 1777)` }, 'metadata snapshot not written: another user could replace it'])
  })
})
