// Unit: the --watch file watcher: debounced, fires only when the file's bytes change (a rewrite with the same
// content, or another file in the directory, reloads nothing), and reports an unreadable file as a change.
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { watchConfigFile, type ConfigWatcher } from '../../../src/config/config-watch.js'
import { silentLogger } from '../../../src/log/logger.js'

let dir = ''
let watcher: ConfigWatcher | undefined
afterEach(() => {
  watcher?.close()
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

/** Start a watcher on dir/gateway.yaml; each settled burst resolves the next `settled()` promise. */
function start(): { file: string; changes: () => number; settled: () => Promise<boolean> } {
  dir = mkdtempSync(join(tmpdir(), 's2s-gw-watch-'))
  const file = join(dir, 'gateway.yaml')
  writeFileSync(file, 'a: 1\n')
  let changes = 0
  const waiting: Array<(changed: boolean) => void> = []
  watcher = watchConfigFile(file, {
    log: silentLogger,
    debounceMs: 30,
    onChange: () => changes++,
    onSettle: (changed) => waiting.shift()?.(changed),
  })
  return { file, changes: () => changes, settled: () => new Promise((resolve) => waiting.push(resolve)) }
}

describe('watchConfigFile', () => {
  it('calls onChange once for a burst of writes that changed the content', async () => {
    const w = start()
    const settled = w.settled()
    writeFileSync(w.file, 'a: 2\n')
    writeFileSync(w.file, 'a: 3\n')
    expect(await settled).toBe(true)
    expect(w.changes()).toBe(1)
  })

  it('ignores a rewrite with the same bytes and changes to other files in the directory', async () => {
    const w = start()
    let settled = w.settled()
    writeFileSync(w.file, 'a: 1\n')
    expect(await settled).toBe(false)
    settled = w.settled()
    writeFileSync(join(dir, 'other.txt'), 'x')
    expect(await settled).toBe(false)
    expect(w.changes()).toBe(0)
  })

  it('follows a file replaced by rename, as editors and Kubernetes ConfigMaps do', async () => {
    const w = start()
    const settled = w.settled()
    writeFileSync(join(dir, 'gateway.yaml.tmp'), 'a: 9\n')
    renameSync(join(dir, 'gateway.yaml.tmp'), w.file)
    expect(await settled).toBe(true)
    expect(w.changes()).toBe(1)
  })

  it('reports a deleted file as a change (the reload then fails and says why)', async () => {
    const w = start()
    const settled = w.settled()
    unlinkSync(w.file)
    expect(await settled).toBe(true)
  })
})
