// Unit test fixture: a StatusReport with one partner of each health, for rendering tests.
import type { PartnerStatus, StatusReport, TrafficStatus } from '../../../src/admin/status-data.js'

export const NOW = Date.parse('2026-03-01T12:00:00Z')

const traffic = (requests: number, rejections: number): TrafficStatus => ({
  requests, rejections, perMinute: [...Array(14).fill(0), requests], rejectionsPerMinute: [...Array(14).fill(0), rejections],
})

function partner(name: string, health: PartnerStatus['health'], extra: Partial<PartnerStatus> = {}): PartnerStatus {
  return {
    name, trustLevel: 'full', registration: 'metadata', authorizationServer: null, metadataUrl: `https://${name}.contoso.com/metadata/json/1`,
    state: health === 'healthy' ? 'ok' : health === 'failing' ? 'failed' : health, health,
    lastFetch: { at: '2026-03-01T11:58:00.000Z', ok: health === 'healthy', error: health === 'healthy' ? null : 'timeout', detail: health === 'healthy' ? null : 'no complete answer within 5000 ms' },
    keys: health === 'failing' ? 0 : 1, keysAgeSec: health === 'failing' ? null : 120, source: null,
    certificates: [], limits: null, inFlight: 0, traffic: traffic(10, health === 'healthy' ? 0 : 3), permissions: null, accessDenied: 0, accessShadowDenied: 0, ...extra,
  }
}

export function sampleReport(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    generatedAt: new Date(NOW).toISOString(),
    gateway: {
      serviceId: '5f1c9a3e-7b2d-4c8e-9f10-112233445566', name: 'Legacy HR API', realm: 'contoso.com', realmAliases: [],
      publicHosts: ['gw.contoso.com'], metadataUrl: 'https://gw.contoso.com/metadata/json/1', ready: true, draining: false,
      startedAt: '2026-03-01T10:00:00.000Z', uptimeSec: 7200, windowMinutes: 15, version: '0.1.0', commit: '0123456789ab', node: 'v20.19.0',
    },
    config: { loadedAt: '2026-03-01T10:00:00.000Z', successes: 0, failures: 0, lastReload: null },
    certificates: [{ x5t: 'own-x5t', subject: 'CN=gw', notAfter: '2027-03-01T00:00:00.000Z', daysToExpiry: 364, health: 'healthy', signing: true }],
    partners: [partner('exchange', 'healthy'), partner('sharepoint', 'stale'), partner('lync', 'failing')],
    authorizationServers: [],
    traffic: traffic(30, 6),
    unattributed: traffic(2, 2),
    ...overrides,
  }
}

export { partner as samplePartner }
