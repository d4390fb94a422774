// Admin: `serve --watch`: reload when the configuration file changes. Watches the file's directory (editors
// replace files, and Kubernetes swaps a ConfigMap's `..data` symlink), debounces bursts of events, and fires
// only when the file's bytes changed, so a touch or an unrelated file in the directory reloads nothing.
import { createHash } from 'node:crypto'
import { readFileSync, watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { Logger } from '../logger.js'

export interface ConfigWatchOptions {
  /** Called once per settled change of the file's content (also when it became unreadable). */
  onChange: () => void
  log: Logger
  /** Quiet period after the last event before the file is read. Default 500 ms. */
  debounceMs?: number
  /** After each settled burst of events: whether the content changed (tests observe "nothing happened" here). */
  onSettle?: (changed: boolean) => void
}

export interface ConfigWatcher {
  close(): void
}

function fingerprint(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex')
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`
  }
}

export function watchConfigFile(path: string, opts: ConfigWatchOptions): ConfigWatcher {
  const debounceMs = opts.debounceMs ?? 500
  let last = fingerprint(path)
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const settle = (): void => {
    timer = undefined
    if (closed) return
    const now = fingerprint(path)
    const changed = now !== last
    if (changed) {
      last = now
      opts.log.info({ file: basename(path) }, 'configuration file changed; reloading')
      opts.onChange()
    } else {
      opts.log.debug({ file: basename(path) }, 'configuration directory changed; the file did not')
    }
    opts.onSettle?.(changed)
  }

  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, () => {
    if (closed) return
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(settle, debounceMs)
    timer.unref()
  })
  watcher.on('error', (err) => opts.log.error({ err }, 'configuration file watch failed; SIGHUP and POST /reload still work'))

  return {
    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      watcher.close()
    },
  }
}
