import { describe, expect, it } from 'vitest'
import { runCli, USAGE } from '../../../src/cli/run.js'
import { captureIo } from './capture.js'

describe('s2s-gateway (dispatch, help, usage errors)', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the command list and exits 0', async (flag) => {
    const io = captureIo()
    expect(await runCli([flag], io)).toBe(0)
    expect(io.out()).toBe(USAGE)
    expect(io.out()).toContain('Exit codes: 0 success, 1 runtime failure, 2 usage error, 78 configuration error.')
  })

  it('exits 2 with the usage on stderr when no command is given', async () => {
    const io = captureIo()
    expect(await runCli([], io)).toBe(2)
    expect(io.err()).toContain('s2s-gateway: missing command')
    expect(io.out()).toBe('')
  })

  it('exits 2 on an unknown command', async () => {
    const io = captureIo()
    expect(await runCli(['sreve'], io)).toBe(2)
    expect(io.err()).toContain('s2s-gateway: unknown command "sreve"')
  })

  it.each([
    [['serve'], 'Usage: s2s-gateway serve'],
    [['demo'], 'Usage: s2s-gateway demo'],
    [['check-config'], 'Usage: s2s-gateway check-config'],
    [['cert'], 'Usage: s2s-gateway cert create'],
    [['cert', 'create'], 'Usage: s2s-gateway cert create'],
    [['metadata'], 'Usage: s2s-gateway metadata'],
    [['token'], 'Usage: s2s-gateway token mint'],
    [['token', 'mint'], 'Usage: s2s-gateway token mint'],
    [['token', 'inspect'], 'Usage: s2s-gateway token inspect'],
    [['partner'], 'Usage: s2s-gateway partner add'],
    [['partner', 'list'], 'Usage: s2s-gateway partner add'],
    [['test-partner'], 'Usage: s2s-gateway test-partner'],
  ])('%j --help prints its usage and exits 0', async (command, usage) => {
    for (const flag of ['--help', '-h']) {
      const io = captureIo()
      expect(await runCli([...command, flag], io)).toBe(0)
      expect(io.out().startsWith(usage)).toBe(true)
      expect(io.err()).toBe('')
    }
  })

  it.each([
    [['serve', '--config', 'x.yaml', '--verbose'], "s2s-gateway serve: Unknown option '--verbose'"],
    [['serve'], 's2s-gateway serve: --config is required'],
    [['demo', '--port', '1'], "s2s-gateway demo: Unknown option '--port'"],
    [['check-config', 'gateway.yaml'], 's2s-gateway check-config: Unexpected argument'],
    [['check-config'], 's2s-gateway check-config: give exactly one of --config <file>, --print-defaults or --print-example'],
    [['check-config', '--config', 'a.yaml', '--print-defaults'], 'give exactly one of'],
    [['check-config', '--config'], "s2s-gateway check-config: Option '-c, --config <value>' argument missing"],
    [['cert'], 's2s-gateway cert: missing subcommand (create)'],
    [['cert', 'show'], 's2s-gateway cert: unknown subcommand "show" (create)'],
    [['metadata'], 's2s-gateway metadata: --config is required'],
    [['token', 'verify'], 's2s-gateway token: unknown subcommand "verify" (mint, inspect)'],
    [['partner'], 's2s-gateway partner: missing subcommand (add, list, remove)'],
    [['partner', 'add', '--config', 'x.yaml', '--name', 'a', '--trust', 'full'], 'give either --metadata-url, or --application-id, --realm and --certificate'],
    [['partner', 'add', '--config', 'x.yaml', '--name', 'a', '--trust', 'most', '--metadata-url', 'https://a'], '--trust must be full or application'],
    [['test-partner', '--config', 'x.yaml'], 's2s-gateway test-partner: --name is required'],
    [['test-partner', '--config', 'x.yaml', '--name', 'a', '--inbound'], '--inbound needs --partner-key and --partner-cert'],
    [['token', 'inspect', 'a', 'b'], 's2s-gateway token inspect: give one token'],
    // Issue 15: --allow-http was silently dropped in the manual form (it applies to a metadata URL only).
    [['partner', 'add', '--config', 'x.yaml', '--name', 'a', '--trust', 'full', '--application-id', 'x', '--realm', 'r', '--certificate', 'c.pem', '--allow-http'],
      's2s-gateway partner add: --allow-http applies to --metadata-url only'],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const io = captureIo()
    expect(await runCli(argv, io)).toBe(2)
    expect(io.err()).toContain(message)
    expect(io.err()).toContain('--help')
  })

  // Issue 15: "-h" as the value of a flag is that flag's (ambiguous) value, not a request for help.
  it.each([
    [['partner', 'add', '--config', 'x.yaml', '--name', '-h', '--trust', 'full', '--metadata-url', 'https://a'], 'partner add', '--name'],
    [['test-partner', '--config', 'x.yaml', '--name', '-h'], 'test-partner', '--name'],
    [['serve', '--config', '-h'], 'serve', '--config'],
    [['token', 'inspect', '--at', '-h', 'a.b.c'], 'token inspect', '--at'],
  ])('%j does not print help: -h is the value of a flag', async (argv, command, flag) => {
    const io = captureIo()
    expect(await runCli(argv, io)).toBe(2)
    expect(io.out()).toBe('')
    expect(io.err()).toContain(`s2s-gateway ${command}: Option '`)
    expect(io.err()).toContain(`use '${flag}=-XYZ'`)
  })

  it('still prints help for -h after a boolean flag or a flag with its value', async () => {
    for (const argv of [['test-partner', '--inbound', '-h'], ['partner', 'add', '--name', 'a', '-h'], ['serve', '--config=-h', '--help']]) {
      const io = captureIo()
      expect(await runCli(argv, io), argv.join(' ')).toBe(0)
      expect(io.out()).toContain('Usage: s2s-gateway')
    }
  })
})
