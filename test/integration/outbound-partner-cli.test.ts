// Integration: `s2s-gateway partner add|list|remove` against a real metadata server on loopback. The YAML file's
// comments and layout survive adding and removing; unreachable, unusable or invalid results are refused and
// leave the file untouched.
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../src/certs/create.js'
import { runCli } from '../../src/cli/run.js'
import { loadConfigFile } from '../../src/config/index.js'
import { startMetadataServer, type MetadataServer } from '../helpers/metadata-server.js'
import { makeTestPartner, type TestPartner } from '../helpers/tokens.js'
import { captureIo } from '../unit/cli/capture.js'

const ORIGINAL = `# Gateway for the HR API.
# Owner: platform team.
service:
  id: 5f1c9a3e-7b2d-4c8e-9f10-112233445566 # never change
  realm: contoso.com
  publicHosts: [gw.contoso.com]

listen:
  inbound: { host: 127.0.0.1, port: 8443 }

upstream:
  url: http://127.0.0.1:8080 # the legacy backend

issuer:
  certificates:
    # current signing certificate
    - cert: gateway.pem
      key: gateway.key

# Partners. Keep them sorted by name.
partners:
  # The HR add-in, registered by hand.
  - name: hr-addin
    applicationId: 11111111-2222-3333-4444-555555555555
    realm: contoso.com
    certificates: [hr-addin.pem]

# End of file.
`

let dir: string
let file: string
let exchange: TestPartner
let meta: MetadataServer
let lync: CreatedCertificate

const run = async (...argv: string[]) => {
  const io = captureIo({}, Date.now)
  const code = await runCli(argv, io)
  return { code, out: io.out(), err: io.err() }
}
const commentLines = (text: string): string[] => text.split('\n').filter((l) => l.includes('#'))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's2s-partner-cli-'))
  file = join(dir, 'gateway.yaml')
  const gateway = await createSelfSignedCertificate({ subject: 'CN=gateway' })
  const hr = await createSelfSignedCertificate({ subject: 'CN=hr-addin' })
  lync = await createSelfSignedCertificate({ subject: 'CN=lync.contoso.com' })
  writeFileSync(join(dir, 'gateway.pem'), gateway.certPem)
  writeFileSync(join(dir, 'gateway.key'), gateway.keyPem, { mode: 0o600 })
  writeFileSync(join(dir, 'hr-addin.pem'), hr.certPem)
  writeFileSync(join(dir, 'lync.pem'), lync.certPem)
  exchange = await makeTestPartner({ subject: 'CN=Microsoft Exchange Server Auth Certificate' })
  meta = await startMetadataServer(exchange)
})
afterAll(async () => {
  await meta?.close()
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => {
  writeFileSync(file, ORIGINAL)
  chmodSync(file, 0o640)
  meta.down = false
  meta.override = undefined
})

describe('partner add, list, remove', () => {
  it('round-trips: comments and layout survive adding two partners and removing them again', async () => {
    const added = await run('partner', 'add', '--config', file, '--name', 'exchange', '--metadata-url', meta.url, '--allow-http', '--trust', 'full', '--outbound-url', 'http://127.0.0.1:9000/ews', '--act-as-users')
    expect(added.code, added.err).toBe(0)
    expect(added.out).toContain(`issuer      ${exchange.issuer}`)
    expect(added.out).toContain('realm       contoso.com')
    expect(added.out).toContain('certificate CN=Microsoft Exchange Server Auth Certificate')
    expect(added.out).toContain(`x5t         ${exchange.cert.x5t}`)
    expect(added.out).toMatch(/valid until \d{4}-\d\d-\d\dT[\d:]+Z \(in \d+ days\)  valid/)
    const afterAdd = readFileSync(file, 'utf8')
    expect(commentLines(afterAdd)).toEqual(expect.arrayContaining(commentLines(ORIGINAL)))
    expect(afterAdd).toContain('# exchange: added by s2s-gateway partner add on ')
    expect(statSync(file).mode & 0o777).toBe(0o640)

    const manual = await run('partner', 'add', '--config', file, '--name', 'lync', '--application-id', '00000004-0000-0FF1-CE00-000000000000', '--realm', 'Contoso.com', '--certificate', join(dir, 'lync.pem'), '--trust', 'application')
    expect(manual.code, manual.err).toBe(0)
    expect(manual.out).toContain(`x5t         ${lync.x5t}`)

    const { config } = loadConfigFile(file)
    expect(config.partners.map((p) => [p.name, p.applicationId, p.realm, p.trustLevel])).toEqual([
      ['hr-addin', '11111111-2222-3333-4444-555555555555', 'contoso.com', 'application'],
      ['exchange', exchange.id, 'contoso.com', 'full'],
      ['lync', '00000004-0000-0ff1-ce00-000000000000', 'contoso.com', 'application'],
    ])
    expect(config.partners[1]?.outbound).toMatchObject({ url: 'http://127.0.0.1:9000/ews', actAsUsers: true })
    expect(config.partners[2]?.certificates).toEqual([join(dir, 'lync.pem')])
    expect(readFileSync(file, 'utf8')).toContain('certificates:\n      - lync.pem')

    const listed = await run('partner', 'list', '--config', file)
    expect(listed.code).toBe(0)
    expect(listed.out).toContain('exchange\n  issuer 00000002-0000-0ff1-ce00-000000000000@contoso.com, trust full')
    expect(listed.out).toContain('outbound http://127.0.0.1:9000/ews (acts as users)')
    expect(listed.out).toContain('hr-addin\n')

    expect((await run('partner', 'remove', '--config', file, '--name', 'exchange')).code).toBe(0)
    expect((await run('partner', 'remove', '--config', file, '--name', 'lync')).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL)
  })

  it('removes the first, a middle or the last of spaced-out entries with their comments, and nothing else', async () => {
    const entry = (name: string, id: string, cert: string) => `  # ${name} comment\n  - name: ${name}\n    applicationId: ${id}\n    realm: contoso.com\n    certificates: [${cert}]\n`
    const [a, b, c] = [entry('a', '11111111-0000-0000-0000-000000000001', 'hr-addin.pem'), entry('b', '11111111-0000-0000-0000-000000000002', 'lync.pem'), entry('c', '11111111-0000-0000-0000-000000000003', 'hr-addin.pem')]
    const head = ORIGINAL.slice(0, ORIGINAL.indexOf('partners:\n') + 'partners:\n'.length)
    const spaced = (...entries: string[]): string => `${head}${entries.join('\n')}\n# End of file.\n`
    for (const [name, expected] of [['a', spaced(b, c)], ['b', spaced(a, c)], ['c', spaced(a, b)]] as const) {
      writeFileSync(file, spaced(a, b, c))
      const res = await run('partner', 'remove', '--config', file, '--name', name)
      expect(res.code, res.err).toBe(0)
      expect(readFileSync(file, 'utf8')).toBe(expected)
    }
    writeFileSync(file, spaced(a, b))
    expect((await run('partner', 'add', '--config', file, '--name', 'exchange', '--metadata-url', meta.url, '--allow-http', '--trust', 'full')).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toMatch(/certificates: \[lync\.pem\]\n\n {2}# exchange: added by[^\n]*\n {2}- name: exchange\n/)
  })

  it('adds to an empty or missing partners list in block style', async () => {
    writeFileSync(file, ORIGINAL.replace(/# Partners[\s\S]*?(?=# End of file)/, 'partners: []\n\n'))
    expect((await run('partner', 'add', '--config', file, '--name', 'exchange', '--metadata-url', meta.url, '--allow-http', '--trust', 'application')).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toMatch(/partners:\n {2}# exchange: added [^\n]*\n {2}- name: exchange\n {4}metadataUrl: /)
    writeFileSync(file, ORIGINAL.replace(/# Partners[\s\S]*?(?=# End of file)/, ''))
    expect((await run('partner', 'add', '--config', file, '--name', 'exchange', '--metadata-url', meta.url, '--allow-http', '--trust', 'application')).code).toBe(0)
    expect(loadConfigFile(file).config.partners.map((p) => p.name)).toEqual(['exchange'])
  })

  it('keeps a --ca-file for the metadata host as tls.caFile, relative to the config file', async () => {
    const res = await run('partner', 'add', '--config', file, '--name', 'exchange', '--metadata-url', meta.url, '--allow-http', '--trust', 'full', '--ca-file', join(dir, 'lync.pem'))
    expect(res.code, res.err).toBe(0)
    expect(readFileSync(file, 'utf8')).toContain('    tls:\n      caFile: lync.pem\n')
    expect(loadConfigFile(file).config.partners[1]?.tls.caFile).toBe(join(dir, 'lync.pem'))
  })

  it('shows the result without writing it on --dry-run', async () => {
    const res = await run('partner', 'add', '--config', file, '--name', 'exchange', '--metadata-url', meta.url, '--allow-http', '--trust', 'full', '--dry-run')
    expect(res.code).toBe(0)
    expect(res.out).toContain('- name: exchange')
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL)
  })

  it.each([
    ['an unreachable document', () => { meta.down = true }, ['--metadata-url', '<meta>', '--allow-http'], 1, 'cannot fetch http://127.0.0.1:', 'HTTP 503; nothing was written'],
    ['a document naming no issuer', () => { meta.override = { keys: [] } }, ['--metadata-url', '<meta>', '--allow-http'], 1, 'is not a usable metadata document: metadata document names no usable issuer', ''],
    ['a document without a usable key', () => { meta.override = { issuer: 'a@b', keys: [{ usage: 'signing', keyinfo: {}, keyvalue: { type: 'x509Certificate', value: 'AAAA' } }] } }, ['--metadata-url', '<meta>', '--allow-http'], 1, 'no usable signing key', ''],
    ['plain http without --allow-http', () => {}, ['--metadata-url', '<meta>'], 1, 'metadata URL refused: http is not allowed', ''],
    ['a name already registered', () => {}, ['--metadata-url', '<meta>', '--allow-http', '--name', 'hr-addin'], 1, 'a partner named "hr-addin" is already registered', ''],
    ['a result the loader refuses', () => {}, ['--metadata-url', '<meta>', '--allow-http', '--outbound-url', 'http://mail.contoso.com'], 78, 'would not load with this partner, left unchanged', 'partners[1].outbound.url: must be https'],
    ['an expired manual certificate', () => {}, ['--application-id', 'x', '--realm', 'r', '--certificate', '<expired>'], 1, 'expired on', ''],
    ['a file that is no certificate', () => {}, ['--application-id', 'x', '--realm', 'r', '--certificate', '<config>'], 1, 'cannot use', ''],
  ])('refuses %s and leaves the file untouched', async (_name, arrange, flags, code, message, more) => {
    arrange()
    const expired = join(dir, 'expired.pem')
    writeFileSync(expired, (await createSelfSignedCertificate({ notBefore: new Date(Date.now() - 10 * 86_400_000), days: 1 })).certPem)
    const argv = ['partner', 'add', '--config', file, '--trust', 'full', ...(flags.includes('--name') ? [] : ['--name', 'exchange']), ...flags]
      .map((a) => (a === '<meta>' ? meta.url : a === '<expired>' ? expired : a === '<config>' ? file : a))
    const res = await run(...argv)
    expect(res.code).toBe(code)
    expect(res.err).toContain(message)
    expect(res.err).toContain(more)
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL)
  })

  it('refuses to remove a partner that is not there', async () => {
    const res = await run('partner', 'remove', '--config', file, '--name', 'nobody')
    expect(res.code).toBe(1)
    expect(res.err).toContain('no partner named "nobody"')
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL)
  })

  // A gateway running as another user reads the file: a CLI run by root must not hand it to root:root.
  it.skipIf(process.getuid?.() !== 0).each([
    ['root:nogroup', 0, 65534],
    ['nobody:nogroup', 65534, 65534],
  ])('keeps the owner and group of a %s file, and its mode, through add and remove (needs root to chown)', async (_label, uid, gid) => {
    chownSync(file, uid, gid)
    const add = await run('partner', 'add', '--config', file, '--name', 'exchange', '--metadata-url', meta.url, '--allow-http', '--trust', 'full')
    expect(add.code, add.err).toBe(0)
    expect(readFileSync(file, 'utf8')).toContain('- name: exchange')
    expect([statSync(file).uid, statSync(file).gid, statSync(file).mode & 0o777]).toEqual([uid, gid, 0o640])
    expect((await run('partner', 'remove', '--config', file, '--name', 'exchange')).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL)
    expect([statSync(file).uid, statSync(file).gid, statSync(file).mode & 0o777]).toEqual([uid, gid, 0o640])
  })

  it('edits the target of a symlinked config path and leaves the link a link', async () => {
    const store = join(dir, 'store')
    mkdirSync(store, { recursive: true })
    const target = join(store, 'gateway.real.yaml')
    writeFileSync(target, ORIGINAL)
    const link = join(dir, 'linked.yaml') // next to the certificates, which the file names relative to itself
    rmSync(link, { force: true })
    symlinkSync(target, link)
    const add = await run('partner', 'add', '--config', link, '--name', 'exchange', '--metadata-url', meta.url, '--allow-http', '--trust', 'full')
    expect(add.code, add.err).toBe(0)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readlinkSync(link)).toBe(target)
    expect(readFileSync(target, 'utf8')).toContain('- name: exchange')
    expect((await run('partner', 'remove', '--config', link, '--name', 'exchange')).code).toBe(0)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readFileSync(target, 'utf8')).toBe(ORIGINAL)
    // no temporary file left next to the link or the target
    expect([...readdirSync(dir), ...readdirSync(store)].filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
