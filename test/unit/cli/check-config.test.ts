import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
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
