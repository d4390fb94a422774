// Unit: partner add/remove edit the text of the file, so every line that is not the entry's stays byte for byte,
// comments after an entry's last value included; and they replace the config file as it was. When its owner and
// group cannot be kept (a user that is neither root nor the owner), nothing is written: a file handed to another
// owner could lock the gateway out of its own configuration at the next reload.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { addPartnerEntry, readConfigDocument, removePartnerEntry, writeFileAtomic } from '../../../src/cli/partner-yaml.js'

const NOBODY = 65534

describe('writeFileAtomic', () => {
  // seteuid needs root (and a forked worker, not a thread): the write runs as nobody, synchronously, then back.
  it.skipIf(process.getuid?.() !== 0)('refuses, and leaves the file and directory as they were, when the owner cannot be kept (needs root to switch user)', () => {
    const dir = mkdtempSync(join(tmpdir(), 's2s-yaml-owner-'))
    chmodSync(dir, 0o777) // nobody may create the temporary file; only the owner question remains
    const file = join(dir, 'gateway.yaml')
    writeFileSync(file, 'partners: []\n')
    chmodSync(file, 0o644)
    let thrown: unknown
    process.seteuid?.(NOBODY)
    try {
      writeFileAtomic(file, 'partners: [changed]\n')
    } catch (err) {
      thrown = err
    } finally {
      process.seteuid?.(0)
    }
    expect(String(thrown)).toContain(`cannot keep the owner and group of ${file} (uid 0, gid 0): EPERM; run this as root or as the file's owner`)
    expect(readFileSync(file, 'utf8')).toBe('partners: []\n')
    expect([statSync(file).uid, statSync(file).gid]).toEqual([0, 0])
    expect(readdirSync(dir)).toEqual(['gateway.yaml'])
  })
})

const edits = mkdtempSync(join(tmpdir(), 's2s-yaml-edit-'))
const documentOf = (text: string) => {
  const file = join(edits, 'gateway.yaml')
  writeFileSync(file, text)
  return readConfigDocument(file)
}
const entry = { name: 'lync', applicationId: '00000004-0000-0ff1-ce00-000000000000', realm: 'contoso.com', certificates: ['lync.pem'] }

describe('entries that end in a comment line', () => {
  const p1 = '  - name: p1\n    metadataUrl: https://p1.contoso.com/metadata/json/1\n'
  const hr = '  - name: hr\n    applicationId: 11111111-2222-3333-4444-555555555555\n    realm: contoso.com\n    certificates: [hr.pem]\n    # trustLevel: full   # after the pilot\n'
  const logs = '\n# Logs (pino JSON on stdout). Keep level info in production.\nlogging:\n  level: info\n'
  const file = `partners:\n${p1}${hr}${logs}`

  it('remove takes the last entry and its own comment line, and leaves the blank line and the next header', () => {
    expect(removePartnerEntry(documentOf(file), 'hr')).toBe(`partners:\n${p1}${logs}`)
  })

  it('add goes after the last entry\'s own comment line, not between the next header and its key; remove undoes it', () => {
    const added = addPartnerEntry(documentOf(file), entry, 'lync: added')
    expect(added).toBe(`partners:\n${p1}${hr}  # lync: added\n  - name: lync\n    applicationId: 00000004-0000-0ff1-ce00-000000000000\n    realm: contoso.com\n    certificates:\n      - lync.pem\n${logs}`)
    expect(removePartnerEntry(documentOf(added), 'lync')).toBe(file)
  })

  it('removing a spaced-out first or last entry that ends in a comment leaves the other entry\'s comment where it was', () => {
    const a = '  # a comment\n  - name: a\n    certificates: [a.pem]\n    # a trailing note\n'
    const b = '  # b comment\n  - name: b\n    certificates: [b.pem]\n    # b trailing   # note\n'
    const spaced = `partners:\n${a}\n${b}${logs}`
    expect(removePartnerEntry(documentOf(spaced), 'a')).toBe(`partners:\n${b}${logs}`)
    expect(removePartnerEntry(documentOf(spaced), 'b')).toBe(`partners:\n${a}${logs}`)
    const added = addPartnerEntry(documentOf(spaced), entry, 'lync: added')
    expect(added.startsWith(`partners:\n${a}\n${b}\n  # lync: added\n  - name: lync\n`)).toBe(true)
    expect(removePartnerEntry(documentOf(added), 'lync')).toBe(spaced)
  })
})
