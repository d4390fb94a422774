// Config: `serve --watch`: reload when the configuration file changes, or one of the files it names whose change
// should reach the running gateway by itself (the inbound TLS certificate and key, renewed by cert-manager and
// the like). Watches the files' directories (editors replace files, and Kubernetes swaps a ConfigMap's or
// Secret's `..data` symlink), debounces bursts of events, and fires only when some file's bytes changed, so a
// touch or an unrelated file in a directory reloads nothing.
import { createHash } from 'node:crypto'
import { readFileSync, watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { Logger } from '../log/index.js'

export interface ConfigWatchOptions {
  /** Called once per settled change of the file's content (also when it became unreadable). */
  onChange: () => void
  log: Logger
  /** Quiet period after the last event before the file is read. Default 500 ms. */
  debounceMs?: number
  /** After each settled burst of events: whether the content changed (tests observe "nothing happened" here). */
  onSettle?: (changed: boolean) => void
  /** More files to watch, asked again after every settled burst (the configuration in use may name others). */
  alsoWatch?: () => readonly string[]
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
  const files = (): string[] => [path, ...(opts.alsoWatch?.() ?? [])]
  const fingerprintAll = (): string => files().map(fingerprint).join(' ')
  let last = fingerprintAll()
  let timer: NodeJS.Timeout | undefined
  let closed = false
  const watchers = new Map<string, FSWatcher>()

  const settle = (): void => {
    timer = undefined
    if (closed) return
    const now = fingerprintAll()
    const changed = now !== last
    if (changed) {
      last = now
      opts.log.info({ file: basename(path) }, 'configuration file or a file it names changed; reloading')
      opts.onChange()
      last = fingerprintAll() // the reloaded configuration may name other files
      watchDirectories()
    } else {
      opts.log.debug({ file: basename(path) }, 'a watched directory changed; the files did not')
    }
    opts.onSettle?.(changed)
  }

  const onEvent = (): void => {
    if (closed) return
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(settle, debounceMs)
    timer.unref()
  }

  /** One watcher per directory holding a watched file; directories no longer needed are let go. */
  function watchDirectories(): void {
    const wanted = new Set(files().map((file) => dirname(file)))
    for (const [dir, watcher] of watchers) {
      if (!wanted.has(dir)) {
        watcher.close()
        watchers.delete(dir)
      }
    }
    for (const dir of wanted) {
      if (watchers.has(dir)) continue
      try {
        const watcher = watch(dir, { persistent: false }, onEvent)
        watcher.on('error', (err) => opts.log.error({ err }, 'configuration file watch failed; SIGHUP and POST /reload still work'))
        watchers.set(dir, watcher)
      } catch (err) {
        opts.log.error({ err }, 'configuration file watch failed; SIGHUP and POST /reload still work')
      }
    }
  }
  watchDirectories()

  return {
    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      for (const watcher of watchers.values()) watcher.close()
      watchers.clear()
    },
  }
}
