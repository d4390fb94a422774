// Unit: the snapshot store's naming and parsing rules (issue 14 §2): one file per kind and name that cannot
// leave its directory, and only our own format for the right entry is read back.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/log/logger.js'
import { createSnapshotStore, parseSnapshot, snapshotFileName, snapshotProblem } from '../../../src/partners/snapshot.js'

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
