// Unit (issue 15): which build is running. The build script records the commit (from S2S_GATEWAY_COMMIT, as the
// Docker build passes it, or from git in a clone) next to the compiled code; readBuildInfo reads it with the
// version from package.json; `s2s-gateway --version` prints both.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { buildInfo, readBuildInfo, versionLine } from '../../src/build-info.js'
import { runCli } from '../../src/cli/run.js'
import { captureIo } from './cli/capture.js'

const SCRIPT = join(import.meta.dirname, '../../scripts/build-info.mjs')
const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

/** A fake install: package.json with `version`, and the build script's output in dist/. */
function build(env: Record<string, string | undefined>): URL {
  const dir = mkdtempSync(join(tmpdir(), 's2s-gw-build-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '9.8.7' }))
  mkdirSync(join(dir, 'dist'))
  const childEnv = { ...process.env, ...env }
  if (env['S2S_GATEWAY_COMMIT'] === undefined) delete childEnv['S2S_GATEWAY_COMMIT']
  execFileSync(process.execPath, [SCRIPT, join(dir, 'dist')], { env: childEnv })
  return pathToFileURL(join(dir, 'dist') + '/')
}

describe('build info', () => {
  it('records the commit the Docker build passes (S2S_GATEWAY_COMMIT) and reads it with the version', () => {
    expect(readBuildInfo(build({ S2S_GATEWAY_COMMIT: '0123456789ab' }))).toEqual({ version: '9.8.7', commit: '0123456789ab', node: process.version })
  })

  it('records the git commit in a clone', () => {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim()
    expect(readBuildInfo(build({ S2S_GATEWAY_COMMIT: undefined })).commit).toMatch(new RegExp(`^${head}(-dirty)?$`))
  })

  it('says "unknown" without a recorded commit (run from src/)', () => {
    expect(buildInfo().commit).toBe('unknown')
    expect(buildInfo().version).toBe(JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version)
  })

  it.each([['--version'], ['-V'], ['version']])('s2s-gateway %s prints the version, commit and Node version', async (flag) => {
    const io = captureIo()
    expect(await runCli([flag], io)).toBe(0)
    expect(io.out()).toBe(`${versionLine()}\n`)
    expect(io.out()).toMatch(/^s2s-gateway \d+\.\d+\.\d+ \(commit unknown, node v\d+\.\d+\.\d+\)\n$/)
  })
})
