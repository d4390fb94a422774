// Outbound: realm discovery state per partner (docs/PROTOCOL.md §5.5 steps 1-2). What a partner's challenge said
// is cached; probes are single-flight per partner, and a fresh result is reused instead of probing again, so
// a partner answering 401 to every call costs at most one probe per outbound.probeReuseMs.
import type { BearerChallenge } from './challenge-parse.js'

/** What one probe found; `challenge` is undefined when the partner sent no Bearer challenge. */
export interface ProbeResult {
  status: number
  challenge: BearerChallenge | undefined
  /** Epoch ms. */
  at: number
}

export type Probe = () => Promise<ProbeResult>

export interface Discovery {
  /** The last challenge learnt for a partner (only probes that returned a Bearer challenge are kept). */
  known(partner: string): BearerChallenge | undefined
  /** The last probe of any outcome, for test-partner. */
  last(partner: string): ProbeResult | undefined
  /** Probe unless a result younger than `reuseMs` exists; one probe in flight per partner. */
  discover(partner: string, probe: Probe): Promise<ProbeResult>
}

/** `reuseMs`: outbound.probeReuseMs, how long a probe result is reused by discover(). */
export function createDiscovery(now: () => number, reuseMs: number): Discovery {
  const learnt = new Map<string, BearerChallenge>()
  const results = new Map<string, ProbeResult>()
  const flights = new Map<string, Promise<ProbeResult>>()
  return {
    known: (partner) => learnt.get(partner),
    last: (partner) => results.get(partner),
    discover(partner, probe) {
      const recent = results.get(partner)
      if (recent !== undefined && now() - recent.at < reuseMs) return Promise.resolve(recent)
      const inFlight = flights.get(partner)
      if (inFlight !== undefined) return inFlight
      const flight = probe()
        .then((result) => {
          results.set(partner, result)
          if (result.challenge !== undefined) learnt.set(partner, result.challenge)
          return result
        })
        .finally(() => flights.delete(partner))
      flights.set(partner, flight)
      return flight
    },
  }
}
