// Workers: a worker's FetchDocument. It never fetches over HTTP: it asks the primary (broker.ts) over IPC, saying
// which version of the URL's document it holds. Each question is bounded by the metadata timeout (and a margin).
import { MetadataFetchError, type FetchDocument } from '../partners/index.js'
import type { PrimaryMessage, WorkerMessage } from './messages.js'

interface Pending {
  url: string
  resolve: (document: unknown) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export interface RemoteFetch {
  fetchDocument: FetchDocument
  /** Hand it every 's2s:fetched' message. */
  settle(message: Extract<PrimaryMessage, { t: 's2s:fetched' }>): void
}

/** The primary waits for the HTTP fetch (timeoutMs) and perhaps a fetch already in flight: twice that, plus a margin. */
const MARGIN_MS = 1_000

export function createRemoteFetch(send: (message: WorkerMessage) => void): RemoteFetch {
  const versions = new Map<string, number>()
  const pending = new Map<number, Pending>()
  let ids = 0
  return {
    fetchDocument: (url, options, purpose) =>
      new Promise((resolve, reject) => {
        const id = (ids += 1)
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new MetadataFetchError('timeout', 'no answer from the primary process'))
        }, options.timeoutMs * 2 + MARGIN_MS)
        pending.set(id, { url, resolve, reject, timer })
        send({ t: 's2s:fetch', id, url, have: versions.get(url) ?? 0, onDemand: purpose?.onDemand === true })
      }),
    settle(message) {
      const waiting = pending.get(message.id)
      if (waiting === undefined) return
      pending.delete(message.id)
      clearTimeout(waiting.timer)
      const { answer } = message
      if (!answer.ok) return waiting.reject(new MetadataFetchError(answer.reason, answer.message))
      if (answer.version > (versions.get(waiting.url) ?? 0)) versions.set(waiting.url, answer.version)
      waiting.resolve(answer.document)
    },
  }
}
