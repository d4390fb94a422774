// Workers (`workers: N | auto`): node:cluster. The primary serves the admin listener, owns the configuration and
// fetches partner metadata once for the gateway; the workers serve the request listeners on shared sockets.
import cluster from 'node:cluster'

export { primaryRole, type PrimaryRole } from './primary.js'
export { serveWorker, workerConfig } from './worker.js'
export { createMetadataBroker, type MetadataBroker } from './broker.js'
export { createRemoteFetch } from './remote-fetch.js'
export { aggregateScrape } from './metrics.js'
export { createBackoff } from './backoff.js'

/** True in a process forked by the primary. */
export const isWorkerProcess = (): boolean => cluster.isWorker
