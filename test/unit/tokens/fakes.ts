// Test fakes for tokens/: a PartnerRegistry and Partners backed by real SigningKeys from test certificates,
// with counters, so validator tests need neither metadata servers nor the real partners/ module.
import type { PartnerConfig, TrustLevel } from '../../../src/schema/types.js'
import type { KeySet, Partner, PartnerIdentity, PartnerRegistry } from '../../../src/partners/types.js'
import type { SigningKey } from '../../../src/certs/x509.js'

export function keySet(keys: readonly SigningKey[], loadedAt = 0): KeySet {
  return { byX5t: new Map(keys.map((k) => [k.x5t, k])), all: [...keys], loadedAt }
}

export interface FakePartnerOptions {
  name: string
  id: string
  realm: string
  keys?: readonly SigningKey[] | undefined
  trustLevel?: TrustLevel
  acceptSid?: boolean
  /** What refetchOnMiss installs: keys → true; undefined → false (cooldown or failed fetch). */
  refetch?: () => readonly SigningKey[] | undefined
  /** What ensureLoaded installs when there are no keys yet. */
  load?: () => readonly SigningKey[] | undefined
  retryAfterSec?: number
  /** Identity unknown until load() ran (a metadata partner without pinned applicationId). */
  unidentified?: boolean
}

export interface FakePartner extends Partner {
  calls: { keys: number; ensureLoaded: number; refetchOnMiss: number }
  setKeys(keys: readonly SigningKey[] | undefined): void
  setIdentified(identified: boolean): void
}

export function fakePartner(opts: FakePartnerOptions): FakePartner {
  let current = opts.keys === undefined ? undefined : keySet(opts.keys)
  let identified = opts.unidentified !== true
  const identity: PartnerIdentity = { id: opts.id.toLowerCase(), realm: opts.realm.toLowerCase() }
  const config: PartnerConfig = {
    name: opts.name,
    trustLevel: opts.trustLevel ?? 'full',
    acceptSid: opts.acceptSid ?? false,
    allowHttp: false,
    tls: { insecureSkipVerify: false },
  }
  const calls = { keys: 0, ensureLoaded: 0, refetchOnMiss: 0 }
  const partner: FakePartner = {
    name: opts.name,
    config,
    trustLevel: config.trustLevel,
    acceptSid: config.acceptSid,
    calls,
    identity: () => (identified ? identity : undefined),
    keys: () => (calls.keys++, current),
    state: () => (current === undefined ? 'failed' : 'ok'),
    retryAfterSec: () => opts.retryAfterSec ?? 30,
    async ensureLoaded() {
      calls.ensureLoaded++
      const loaded = current === undefined ? opts.load?.() : undefined
      if (loaded !== undefined) current = keySet(loaded)
    },
    async refetchOnMiss() {
      calls.refetchOnMiss++
      const fresh = opts.refetch?.()
      if (fresh === undefined) return false
      current = keySet(fresh)
      return true
    },
    refreshNow: async () => false,
    lastFetch: () => undefined,
    close: () => {},
    setKeys: (keys) => void (current = keys === undefined ? undefined : keySet(keys)),
    setIdentified: (value) => void (identified = value),
  }
  return partner
}

export interface FakeRegistry extends PartnerRegistry {
  calls: { loadAll: number }
  /** Register or replace (a new object under the same id, as a config reload does). */
  put(partner: FakePartner): void
  remove(id: string): void
  /** Run at each loadAll, e.g. to identify a partner. */
  onLoadAll?: () => void
}

export function fakeRegistry(partners: readonly FakePartner[]): FakeRegistry {
  const list = [...partners]
  const registry: FakeRegistry = {
    calls: { loadAll: 0 },
    findById: (idLower) => list.find((p) => p.identity()?.id === idLower),
    hasUnidentifiedPartners: () => list.some((p) => p.identity() === undefined),
    hasUnknownIdentities: () => list.some((p) => p.identity() === undefined),
    async loadAll() {
      registry.calls.loadAll++
      registry.onLoadAll?.()
    },
    all: () => list,
    close: () => {},
    put(partner) {
      const at = list.findIndex((p) => p.name === partner.name)
      if (at >= 0) list[at] = partner
      else list.push(partner)
    },
    remove(id) {
      const at = list.findIndex((p) => p.identity()?.id === id)
      if (at >= 0) list.splice(at, 1)
    },
  }
  return registry
}
