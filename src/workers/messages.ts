// Workers: the IPC messages between the primary and its workers (node:cluster, advanced serialization).
// Every request carries an id; its answer carries the same id.
import type { MetricObjectWithValues, MetricValue } from 'prom-client'
import type { ActivitySummary } from '../admin/index.js'
import type { GatewayConfig } from '../schema/index.js'
import type { MetadataFetchReason } from '../partners/index.js'

/** A metadata document as the primary last obtained it; `version` grows with every fetch the primary makes. */
export interface DocumentAnswer {
  ok: true
  document: unknown
  version: number
}

export interface FetchFailure {
  ok: false
  reason: MetadataFetchReason
  message: string
}

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[]

/** What a worker adds to the status page, per traffic key ('*', 'unknown' and each partner name). */
export type StatusShare = Record<string, { activity: ActivitySummary; deny: number; shadowDeny: number; inFlight: number }>

/** Worker -> primary. */
export type WorkerMessage =
  | { t: 's2s:hello' }
  | { t: 's2s:ready' }
  /** `have`: version of the document this worker holds for the URL (0: none). */
  | { t: 's2s:fetch'; id: number; url: string; have: number; onDemand: boolean }
  | { t: 's2s:reloaded'; id: number; ok: boolean; error?: string }
  | { t: 's2s:metrics'; id: number; metrics: MetricsJson }
  | { t: 's2s:status'; id: number; share: StatusShare }

/** Primary -> worker. */
export type PrimaryMessage =
  | { t: 's2s:config'; config: GatewayConfig }
  | { t: 's2s:fetched'; id: number; answer: DocumentAnswer | FetchFailure }
  | { t: 's2s:reload'; id: number; config: GatewayConfig }
  | { t: 's2s:metrics'; id: number }
  | { t: 's2s:status'; id: number }
  | { t: 's2s:drain' }

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string' && (value as { t: string }).t.startsWith('s2s:')
}

export const isPrimaryMessage = isWorkerMessage as (value: unknown) => value is PrimaryMessage
