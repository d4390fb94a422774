// Unit: rendering the status page from a StatusReport: a row per partner with its health class, the overall
// pill, the stylesheet intact, and every dynamic value escaped (text and attributes).
import { describe, expect, it } from 'vitest'
import { STATUS_CSS } from '../../../src/admin/status-css.js'
import { renderStatusPage } from '../../../src/admin/status-page.js'
import { NOW, sampleReport, samplePartner } from './status-fixture.js'

describe('renderStatusPage', () => {
  it('has a row per partner carrying its health', () => {
    const page = renderStatusPage(sampleReport(), NOW)
    expect(page).toContain('data-partner="exchange" data-health="healthy"')
    expect(page).toContain('data-partner="sharepoint" data-health="stale"')
    expect(page).toContain('data-partner="lync" data-health="failing"')
    expect(page).toContain('failed: <code>timeout</code> no complete answer within 5000 ms')
    expect(page).toContain('none usable')
  })

  it.each([
    ['a failing partner', sampleReport(), 'failing', 'partner failing'],
    ['only a stale one', sampleReport({ partners: [samplePartner('a', 'healthy'), samplePartner('b', 'stale')] }), 'stale', 'partner stale'],
    ['all healthy', sampleReport({ partners: [samplePartner('a', 'healthy')] }), 'healthy', 'healthy'],
    ['no partners yet', sampleReport({ partners: [] }), 'healthy', 'healthy'],
    ['draining', sampleReport({ gateway: { ...sampleReport().gateway, draining: true } }), 'loading', 'draining'],
  ])('overall state with %s', (_label, report, health, text) => {
    expect(renderStatusPage(report, NOW)).toContain(`id="overall" data-health="${health}">${text}</span>`)
  })

  it('shows an expiring certificate as stale overall', () => {
    const report = sampleReport({ partners: [], certificates: [{ ...sampleReport().certificates[0]!, daysToExpiry: 5, health: 'expiring' }] })
    const page = renderStatusPage(report, NOW)
    expect(page).toContain('data-health="stale">certificate expiring')
    expect(page).toContain('<span class="days expiring">5 days left</span>')
  })

  it('keeps the stylesheet as written (entities are not decoded inside <style>)', () => {
    expect(renderStatusPage(sampleReport(), NOW)).toContain(`<style>${STATUS_CSS}</style>`)
  })

  it('escapes every dynamic value', () => {
    const evil = '"><script>alert(1)</script>'
    const report = sampleReport({
      gateway: { ...sampleReport().gateway, name: evil, realm: evil, realmAliases: [evil], publicHosts: [evil], metadataUrl: evil, version: evil, commit: evil },
      certificates: [{ ...sampleReport().certificates[0]!, x5t: evil, subject: evil }],
      partners: [samplePartner(evil, 'failing', { trustLevel: evil, metadataUrl: evil, lastFetch: { at: '2026-03-01T11:00:00.000Z', ok: false, error: evil, detail: evil } })],
    })
    const page = renderStatusPage(report, NOW)
    expect(page).not.toContain('<script>')
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
  })
})
