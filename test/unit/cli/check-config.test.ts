import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { runCli } from '../../../src/cli/run.js'
import { renderExampleYaml } from '../../../src/schema/index.js'
import { renderDefaultsYaml } from '../../../src/schema/index.js'
import { makeTempDir, validRaw, writeCertFiles } from '../config/fixtures.js'
import { captureIo } from './capture.js'

const temp = makeTempDir()
beforeAll(() => writeCertFiles(temp.dir, 'gateway').then(() => writeCertFiles(temp.dir, 'partner')))
afterAll(temp.remove)

function writeConfig(name: string, raw: unknown): string {
  const file = join(temp.dir, name)
  writeFileSync(file, typeof raw === 'string' ? raw : stringify(raw))
  return file
}

describe('s2s-gateway check-config', () => {
  it('prints "ok" and the warnings, and exits 0, for a valid file', async () => {
    const raw = validRaw()
    raw.listen.inbound.host = '0.0.0.0'
    const file = writeConfig('ok.yaml', raw)
    const io = captureIo()
    expect(await runCli(['check-config', '--config', file], io)).toBe(0)
    expect(io.out()).toMatch(/^warning: listen\.inbound: listens on 0\.0\.0\.0 without tls.*\n/)
    expect(io.out().endsWith(`ok: ${file}\n`)).toBe(true)
  })

  it('prints every problem as path: reason and exits 78', async () => {
    const raw = validRaw()
    raw.service.id = 'not-a-guid'
    raw.tokens = { maxTokenBytes: 100 }
    raw.partners[0].metadataUrl = 'http://autodiscover.contoso.com/metadata/json/1'
    const file = writeConfig('bad.yaml', raw)
    const io = captureIo()
    expect(await runCli(['check-config', '-c', file], io)).toBe(78)
    expect(io.out()).toBe(
      [
        `${file}: 3 configuration problems:`,
        '  service.id: must be a GUID, e.g. 5f1c9a3e-7b2d-4c8e-9f10-112233445566',
        '  tokens.maxTokenBytes: must be between 1024 and 16384',
        '  partners[0].metadataUrl: must be https (or set allowHttp for a loopback host)',
        '',
      ].join('\n'),
    )
  })

  it('exits 78 for a YAML syntax error and for a missing file', async () => {
    const broken = writeConfig('broken.yaml', 'service: [\n')
    const io = captureIo()
    expect(await runCli(['check-config', '--config', broken], io)).toBe(78)
    expect(io.out()).toMatch(/YAML error at line \d+, column \d+/)
    const missing = captureIo()
    expect(await runCli(['check-config', '--config', join(temp.dir, 'absent.yaml')], missing)).toBe(78)
    expect(missing.out()).toContain('no such file')
  })

  it('resolves ${NAME} from the environment it is given', async () => {
    const raw = validRaw()
    raw.service.realm = '${GW_REALM}'
    const file = writeConfig('env.yaml', raw)
    expect(await runCli(['check-config', '--config', file], captureIo({ GW_REALM: 'contoso.com' }))).toBe(0)
    const io = captureIo({})
    expect(await runCli(['check-config', '--config', file], io)).toBe(78)
    expect(io.out()).toContain('service.realm: environment variable GW_REALM not set')
  })

  it('--print-defaults prints the generated defaults and --print-example the example', async () => {
    const defaults = captureIo()
    expect(await runCli(['check-config', '--print-defaults'], defaults)).toBe(0)
    expect(defaults.out()).toBe(renderDefaultsYaml())
    const example = captureIo()
    expect(await runCli(['check-config', '--print-example'], example)).toBe(0)
    expect(example.out()).toBe(renderExampleYaml())
  })
})

// metadata.cacheDir: the snapshot store refuses every file in a directory another user can write (a planted
// snapshot would carry the attacker's key), so check-config says so before the gateway starts, not "ok".
describe('s2s-gateway check-config: metadata.cacheDir', () => {
  const asRoot = process.getuid?.() === 0
  function checkCacheDir(name: string, prepare: (dir: string) => void): { dir: string; run: () => Promise<{ code: number; out: string }> } {
    const parent = join(temp.dir, `cache-${name}`)
    mkdirSync(parent)
    const dir = join(parent, 'metadata')
    prepare(dir)
    const raw = validRaw()
    raw.metadata = { cacheDir: dir }
    const file = writeConfig(`cache-${name}.yaml`, raw)
    return {
      dir,
      run: async () => {
        const io = captureIo()
        return { code: await runCli(['check-config', '--config', file], io), out: io.out() }
      },
    }
  }

  it.each([
    ['world-writable', 0o777, 'writable by group and others (mode 0777)'],
    ['/tmp-like (sticky, world-writable)', 0o1777, 'writable by group and others (mode 1777)'],
    ['group-writable', 0o770, 'writable by its group (mode 0770)'],
  ])('reports a %s directory as a problem (exit 78) and leaves its mode alone; 0700 is ok', async (label, mode, why) => {
    const check = checkCacheDir(label.replace(/\W+/g, '-'), (dir) => mkdirSync(dir, { mode: 0o700 }))
    expect((await check.run()).code).toBe(0)
    chmodSync(check.dir, mode)
    const { code, out } = await check.run()
    expect(code).toBe(78)
    expect(out).toContain(`  metadata.cacheDir: ${check.dir} is ${why}: another user could plant keys there, so its snapshots would be refused;`)
    expect(statSync(check.dir).mode & 0o7777).toBe(mode)
  })

  it('names a shared /tmp-like directory itself as a problem, but not a missing one under it (created 0700)', async () => {
    const missing = checkCacheDir('shared', (dir) => chmodSync(join(dir, '..'), 0o1777))
    expect((await missing.run()).code).toBe(0)
    const shared = checkCacheDir('shared-itself', (dir) => mkdirSync(dir, { mode: 0o1777 }))
    chmodSync(shared.dir, 0o1777)
    const { code, out } = await shared.run()
    expect(code).toBe(78)
    expect(out).toContain(`  metadata.cacheDir: ${shared.dir} is writable by group and others (mode 1777)`)
  })

  it.skipIf(!asRoot)('reports a directory owned by another user (needs root to chown)', async () => {
    const check = checkCacheDir('foreign', (dir) => {
      mkdirSync(dir, { mode: 0o700 })
      chownSync(dir, 65534, 65534)
    })
    const { code, out } = await check.run()
    expect(code).toBe(78)
    expect(out).toContain(`  metadata.cacheDir: ${check.dir} is owned by uid 65534, not by root: another user could plant keys there`)
  })
})
