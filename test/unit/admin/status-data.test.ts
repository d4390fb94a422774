// Unit: the pieces of the status report that decide what an operator sees: URLs without credentials or query,
// certificate expiry classes, and the config change summary of a reload.
import { describe, expect, it } from 'vitest'
import { describeChanges } from '../../../src/config/config-changes.js'
import { certificateStatus, displayUrl, EXPIRY_WARNING_DAYS } from '../../../src/admin/status-data.js'
import type { GatewayConfig } from '../../../src/schema/index.js'
import type { SigningKey } from '../../../src/certs/x509.js'

describe('displayUrl', () => {
  it.each([
    ['https://autodiscover.contoso.com/autodiscover/metadata/json/1', 'https://autodiscover.contoso.com/autodiscover/metadata/json/1'],
    ['https://user:secret@host.example:8443/metadata/json/1?sig=abc#frag', 'https://host.example:8443/metadata/json/1'],
    ['not a url', '(unparseable URL)'],
  ])('%s -> %s', (url, expected) => {
    expect(displayUrl(url)).toBe(expected)
  })
})

describe('certificateStatus', () => {
  const DAY = 86_400_000
  const now = Date.parse('2026-03-01T00:00:00Z')
  const key = (notAfter: number): SigningKey => ({ x5t: 'x', subject: 'CN=x', notAfter, notBefore: 0 }) as unknown as SigningKey
  it.each([
    [now + 400 * DAY, 400, 'healthy'],
    [now + EXPIRY_WARNING_DAYS * DAY, EXPIRY_WARNING_DAYS, 'healthy'],
    [now + (EXPIRY_WARNING_DAYS - 1) * DAY, EXPIRY_WARNING_DAYS - 1, 'expiring'],
    [now + DAY / 2, 0, 'expiring'],
    [now, 0, 'expired'],
    [now - 3 * DAY, -3, 'expired'],
  ])('notAfter %i -> %i days, %s', (notAfter, days, health) => {
    expect(certificateStatus(key(notAfter), now)).toMatchObject({ daysToExpiry: days, health, signing: false })
  })
})

describe('describeChanges', () => {
  const cfg = (partners: Array<Record<string, unknown>>, port = 8443) => ({ partners, listen: { inbound: { port } } }) as unknown as GatewayConfig
  it('names partners added, removed and changed, and notices listen changes', () => {
    const before = cfg([{ name: 'a', trustLevel: 'full' }, { name: 'b', trustLevel: 'full' }])
    const after = cfg([{ name: 'a', trustLevel: 'application' }, { name: 'c', trustLevel: 'full' }], 9443)
    expect(describeChanges(before, after)).toEqual({ listenChanged: true, accessChanged: false, partners: { added: ['c'], removed: ['b'], changed: ['a'] } })
    expect(describeChanges(before, before)).toEqual({ listenChanged: false, accessChanged: false, partners: { added: [], removed: [], changed: [] } })
  })

  it('notices a changed access section (issue 10)', () => {
    const before = { ...cfg([]), access: { mode: 'enforce', caseInsensitivePaths: false, deny: [] } } as unknown as GatewayConfig
    const after = { ...cfg([]), access: { mode: 'shadow', caseInsensitivePaths: false, deny: [] } } as unknown as GatewayConfig
    expect(describeChanges(before, after).accessChanged).toBe(true)
  })

  it('does not call new TLS files or a new outbound secret a listen change (a reload applies them), but TLS on or off is one', () => {
    const listen = (tls: unknown, secret: string) => ({ partners: [], listen: { inbound: { host: '0.0.0.0', port: 8443, tls }, admin: { host: '127.0.0.1', port: 9464 }, outbound: { host: '127.0.0.1', port: 8444, sharedSecret: secret } } }) as unknown as GatewayConfig
    const before = listen({ cert: '/a/tls.pem', key: '/a/tls.key' }, 'secret-one-0123456789')
    expect(describeChanges(before, listen({ cert: '/b/tls.pem', key: '/b/tls.key' }, 'secret-two-0123456789')).listenChanged).toBe(false)
    expect(describeChanges(before, listen(undefined, 'secret-one-0123456789')).listenChanged).toBe(true)
  })

  it('calls adding or moving the forward-auth listener a listen change (issue 13: it starts only with the process)', () => {
    const listen = (forwardAuth: unknown) => ({ partners: [], listen: { inbound: { host: '0.0.0.0', port: 8443 }, admin: { host: '127.0.0.1', port: 9464 }, forwardAuth } }) as unknown as GatewayConfig
    expect(describeChanges(listen(undefined), listen({ host: '127.0.0.1', port: 8445 })).listenChanged).toBe(true)
    expect(describeChanges(listen({ host: '127.0.0.1', port: 8445 }), listen({ host: '127.0.0.1', port: 8446 })).listenChanged).toBe(true)
    expect(describeChanges(listen({ host: '127.0.0.1', port: 8445 }), listen({ host: '127.0.0.1', port: 8445 })).listenChanged).toBe(false)
  })
})
