// Integration (issue 4 §5) in a real browser: Debian's chromium driven by playwright-core renders GET /status
// for a gateway with a healthy, a stale, a failing and a certificate-file partner after 15 minutes of traffic
// (a shifted clock), shows the failing partner in red, and loads nothing but the page itself. The screenshot
// goes to reports/ (git-ignored); `npm run docs` sets S2S_DOCS_SCREENSHOT to refresh docs/status-page.png.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metadataPartner } from '../helpers/gateway.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'
import { eventually, startOperatingWorld, valueOf, type OperatingWorld } from './operating-fixture.js'

// The DOM names used inside page.evaluate callbacks (they run in the browser; tsconfig has no DOM lib).
declare const document: { body: object }
declare function getComputedStyle(element: object): { color: string; fontFamily: string }

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
const SHAREPOINT_ID = '00000003-0000-0ff1-ce00-000000000000'
const REPORT = join('reports', 'status-page.png')
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`status page browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`)

let w: OperatingWorld
let sharepoint: TestPartner
let sharepointMeta: MetadataServer
let browser: Browser
let offsetMs = 0

/** Fifteen one-minute bursts: exchange and hr-addin calls, some bad signatures, lync (503) and anonymous calls. */
async function playTraffic(): Promise<void> {
  const rogue = await makeTestPartner()
  const exchangeApp = w.exchange.actorToken()
  const alice = w.exchange.userToken({ upn: 'alice@contoso.com' })
  const hrApp = w.hr.actorToken()
  const spApp = sharepoint.actorToken()
  for (let minute = 0; minute < 15; minute++) {
    offsetMs = minute * 60_000
    const n = 6 + ((minute * 7) % 11)
    const calls = [
      ...Array.from({ length: n }, (_, i) => w.call(i % 3 === 0 ? alice : exchangeApp)),
      ...Array.from({ length: 2 + (minute % 3) }, () => w.call(hrApp)),
      ...Array.from({ length: 1 + (minute % 2) }, () => w.call(spApp)),
      w.call(w.lync.actorToken()),
      ...(minute % 4 === 1 ? [w.call(w.exchange.actorToken({}, {}, rogue.cert.privateKey)), w.call(undefined)] : []),
    ]
    await Promise.all(calls)
    await eventually(async () => valueOf(await w.scrape(), 's2s_gateway_requests_in_flight') === 0)
  }
}

beforeAll(async () => {
  if (!hasChromium) return
  sharepoint = await makeTestPartner({ id: SHAREPOINT_ID })
  sharepointMeta = await startMetadataServer(sharepoint)
  w = await startOperatingWorld({
    deps: { now: () => Date.now() + offsetMs },
    overrides: (partners) => ({
      service: { id: '5f1c9a3e-7b2d-4c8e-9f10-112233445566', name: 'Legacy HR API', realm: 'contoso.com', publicHosts: ['gw.contoso.com'] },
      partners: [...partners.slice(0, 1), metadataPartner('sharepoint', sharepointMeta.url, { trustLevel: 'application' }), ...partners.slice(1)],
    }),
  })
  await w.gw.running.gateway.warmUp()
  await playTraffic()
  sharepointMeta.down = true // its next refresh fails: served from last-known-good keys
  await w.gw.running.gateway.holder.current.registry.all().find((p) => p.name === 'sharepoint')?.refreshNow()
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await w?.close()
  await sharepointMeta?.close()
})

describe.skipIf(!hasChromium)('the status page in headless Chromium', () => {
  it('renders every partner, shows the failing one in red, and fetches nothing else', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const requested: string[] = []
    const consoleErrors: string[] = []
    page.on('request', (request) => requested.push(request.url()))
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    const url = `${w.gw.adminUrl}/status`
    const res = await page.goto(url, { waitUntil: 'load' })
    expect(res?.status()).toBe(200)
    expect(await page.title()).toBe('Legacy HR API: s2s-gateway status')

    const rows = page.locator('tr.partner')
    expect(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-partner'), tr.getAttribute('data-health')]))).toEqual([
      ['exchange', 'healthy'], ['sharepoint', 'stale'], ['lync', 'failing'], ['hr-addin', 'healthy'],
    ])
    const pill = (name: string) => page.locator(`tr[data-partner="${name}"] [data-role="health"]`)
    expect(await pill('lync').textContent()).toBe('failing')
    const colour = (name: string) => pill(name).evaluate((el) => getComputedStyle(el).color)
    expect(await colour('lync')).toBe('rgb(207, 34, 46)') // red
    expect(await colour('sharepoint')).toBe('rgb(154, 103, 0)') // amber
    expect(await colour('exchange')).toBe('rgb(26, 127, 55)') // green
    expect(await page.locator('#overall').getAttribute('data-health')).toBe('failing')
    // the stylesheet arrived intact (an escaped quote inside <style> silently drops the font declaration)
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('Segoe UI')
    expect(await page.locator('tr[data-partner="lync"]').textContent()).toContain('none usable')
    expect(await page.locator('#certificates').textContent()).toContain(w.gw.issuerCert.x5t)

    expect(requested).toEqual([url]) // no external assets, not even a favicon fetch from the page
    expect(consoleErrors).toEqual([]) // the CSP blocked nothing the page needs

    mkdirSync(dirname(REPORT), { recursive: true })
    await page.screenshot({ path: REPORT, fullPage: true })
    const docs = process.env['S2S_DOCS_SCREENSHOT']
    if (docs !== undefined && docs !== '') copyFileSync(REPORT, docs)
  }, 60_000)
})
