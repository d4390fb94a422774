// Workers: the status page of the whole gateway. Each worker shares its per-minute traffic and access denials
// per partner; the primary adds them up into the Activity and denial counts its own status page reads.
import type { ActivitySummary, MinuteCounts } from '../admin/index.js'
import type { StatusInputs } from '../admin/index.js'
import type { RunningGateway } from '../lifecycle/index.js'
import type { StatusShare } from './messages.js'

/** A worker's share: '*' (all traffic), 'unknown' (unattributed) and every configured partner. */
export function statusShare(running: RunningGateway): StatusShare {
  const { gateway } = running
  const config = gateway.holder.current.config
  const keys = ['*', 'unknown', ...config.partners.map((p) => p.name), ...config.authorizationServers.map((s) => s.name)]
  const share: StatusShare = {}
  for (const key of keys) share[key] = { activity: gateway.activity.summary(key), ...gateway.metrics.accessDenials(key), inFlight: gateway.inFlight(key) }
  return share
}

const add = (a: MinuteCounts, b: MinuteCounts): MinuteCounts => ({ requests: a.requests + b.requests, rejections: a.rejections + b.rejections })

/** The workers' shares as one gateway: an Activity to read (recording is the workers' job), summed denials and in-flight counts. */
export function mergeShares(shares: readonly StatusShare[], minutes: number): Pick<StatusInputs, 'activity' | 'accessDenials'> & { inFlight: (partner: string) => number } {
  const empty = (): ActivitySummary => ({ perMinute: Array.from({ length: minutes }, () => ({ requests: 0, rejections: 0 })), total: { requests: 0, rejections: 0 } })
  return {
    activity: {
      minutes,
      record: () => undefined,
      summary: (key) => shares.reduce((sum, share) => {
        const theirs = share[key]?.activity
        if (theirs === undefined) return sum
        return { perMinute: sum.perMinute.map((m, i) => add(m, theirs.perMinute[i] ?? { requests: 0, rejections: 0 })), total: add(sum.total, theirs.total) }
      }, empty()),
    },
    inFlight: (partner) => shares.reduce((sum, share) => sum + (share[partner]?.inFlight ?? 0), 0),
    accessDenials: (partner) => shares.reduce((sum, share) => ({
      deny: sum.deny + (share[partner]?.deny ?? 0),
      shadowDeny: sum.shadowDeny + (share[partner]?.shadowDeny ?? 0),
    }), { deny: 0, shadowDeny: 0 }),
  }
}
