// Unit: partner add/remove replace the config file as it was. When its owner and group cannot be kept (a user
// that is neither root nor the owner), nothing is written: a file handed to another owner could lock the
// gateway out of its own configuration at the next reload.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeFileAtomic } from '../../../src/cli/partner-yaml.js'

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
