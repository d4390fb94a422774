// CLI: `s2s-gateway test-partner --config <file> --name <partner>`: check a partnership end to end, step by step,
// like Test-CsExStorageConnectivity. Exit 0 only when every step passes (SKIPs aside); 1 otherwise, 78 when the
// configuration does not load. Nothing is started: calls go through the same Outbound the listener uses.
import { resolve } from 'node:path'
import { ConfigError, formatProblem, loadConfigFile } from '../config/index.js'
import type { PartnerConfig } from '../schema/index.js'
import type { GatewayConfig } from '../schema/index.js'
import { loadIssuerKeys, type IssuerKeys } from '../issuer/index.js'
import { silentLogger } from '../log/index.js'
import { createAuthorizationServers, type AuthorizationServers } from '../auth-servers/index.js'
import { createOutbound } from '../outbound/index.js'
import { createPartnerRegistry, type PartnerRegistry } from '../partners/index.js'
import type { UserClaims } from '../identity/index.js'
import { runCommand } from './command.js'
import { EXIT, UsageError, parseFlags, requireFlag, writeLine, type CliIo } from './io.js'
import { checkInboundToken, checkPartnerKeyPublished } from './test-partner-inbound.js'
import { readSigner } from './signer-files.js'
import { createReport, fail, pass, type Report, type StepResult } from './test-partner-report.js'
import { checkChallenge, checkListsUs, checkMint, checkOurCertificate, checkPartnerMetadata, checkRequest, probe } from './test-partner-steps.js'
import { SERVER_STEP, SERVER_TOKEN_STEP, checkAuthorizationServer, checkListsServer, checkServerToken } from './test-partner-authz.js'

export const TEST_PARTNER_USAGE = `Usage: s2s-gateway test-partner --config <file> --name <partner> [options]

Check a partnership end to end and print each step with PASS, FAIL or SKIP and the reason. Every partner calls
the gateway (inbound); one with an outbound section is also called by it (outbound). The command says which,
and runs the steps that apply: the configuration loads; the partner's metadata is reachable and usable (or
its certificate files are); for an outbound partner, our signing certificate is valid and not near expiry,
its challenge lists the gateway as a trusted issuer (when it names any), a token for it is minted, and a
request through the outbound path reaches it and is accepted (2xx), also on behalf of a user when --user-* is
given. For a partner with authorizationServer, the server's metadata (keys, issuance endpoint) is checked, the
partner's challenge must trust the server, and the token is obtained from the server instead of minted.
With --inbound, also the gateway's own half: a token signed with the partner's key is accepted by our
validator. Exit 0 only when no step fails.

Options:
  -c, --config <file>     configuration file (YAML)
  --name <partner>        the partner to test (the outbound steps run when it has an outbound section)
  --path <path>           path (and query) to request, below outbound.url; default /
  --user-upn <upn>        also call on behalf of this user (needs outbound.actAsUsers)
  --user-smtp <address>
  --user-sip <address>
  --inbound               also test the inbound half (needs --partner-key and --partner-cert)
  --partner-key <pem>     the partner's private key (a test partner's; never a production key you do not own)
  --partner-cert <pem>    its certificate
  -h, --help              show this help
`

const str = { type: 'string' } as const
const FLAGS = {
  config: { type: 'string', short: 'c' }, name: str, path: str, 'user-upn': str, 'user-smtp': str, 'user-sip': str,
  inbound: { type: 'boolean' }, 'partner-key': str, 'partner-cert': str, help: { type: 'boolean', short: 'h' },
} as const

type Flags = ReturnType<typeof parseFlags<typeof FLAGS>>

function userOf(flags: Flags): UserClaims | undefined {
  const user: UserClaims = {}
  if (flags['user-upn'] !== undefined) user.upn = flags['user-upn']
  if (flags['user-smtp'] !== undefined) user.smtp = flags['user-smtp']
  if (flags['user-sip'] !== undefined) user.sip = flags['user-sip']
  return Object.keys(user).length === 0 ? undefined : user
}

/** The partner's own half and the gateway's: metadata always, outbound steps when it has an outbound section. */
async function partnerSteps(report: Report, config: GatewayConfig, partner: PartnerConfig, flags: Flags, now: () => number): Promise<void> {
  const registry = createPartnerRegistry(config.partners, { metadata: config.metadata, now, log: silentLogger })
  // Issue 7: a partner reached through an authorization server gets its tokens from there.
  const servers = createAuthorizationServers(config.authorizationServers, { metadata: config.metadata, now, log: silentLogger })
  try {
    let issuer: IssuerKeys | undefined
    const keys = partner.outbound === undefined ? undefined : await report.step('our signing certificate', () => {
      issuer = loadIssuerKeys(config.issuer, now())
      return checkOurCertificate(issuer, now())
    })
    await report.step('partner metadata', () => checkPartnerMetadata(partner, config, now()))
    if (partner.authorizationServer !== undefined) await report.step(SERVER_STEP, () => checkAuthorizationServer(servers, partner, now()))
    if (keys !== undefined) await outboundSteps(report, { config, registry, servers, issuer, keys }, partner.name, flags, now)
    if (flags.inbound === true) await inboundSteps(report, config, registry, partner.name, flags, now)
  } finally {
    servers.close()
    registry.close()
  }
}

interface OutboundContext {
  config: GatewayConfig
  registry: PartnerRegistry
  servers: AuthorizationServers
  issuer: IssuerKeys | undefined
  keys: StepResult
}

async function outboundSteps(report: Report, ctx: OutboundContext, name: string, flags: Flags, now: () => number): Promise<void> {
  const { config, registry, servers, issuer, keys } = ctx
  const viaServer = config.partners.find((p) => p.name === name)?.authorizationServer !== undefined
  const outbound = issuer === undefined ? undefined : createOutbound({ config, signer: issuer.signer, registry, authorizationServers: servers, log: silentLogger, now })
  try {
    const path = flags.path ?? '/'
    const found = outbound?.partner(name)
    if (outbound === undefined || found === undefined) {
      const because = outbound === undefined ? 'our signing certificate cannot be loaded' : `${name} has no outbound section`
      for (const title of ['partner challenge', 'partner lists the gateway', viaServer ? SERVER_TOKEN_STEP : 'token minted', 'request through the outbound path']) report.skip(title, because)
      return
    }
    const probed = await probe(outbound, name, path)
    await report.step('partner challenge', () => checkChallenge(probed, found.base.href))
    if (viaServer) await report.step('partner trusts the authorization server', () => checkListsServer(probed, servers, found.config))
    else await report.step('partner lists the gateway', () => checkListsUs(probed, config, found.config))
    const mintTitle = viaServer ? SERVER_TOKEN_STEP : 'token minted'
    if (keys.status === 'fail') report.skip(mintTitle, 'our signing certificate failed')
    else await report.step(mintTitle, () => (viaServer ? checkServerToken(outbound, name, path, now()) : checkMint(outbound, name, path, now())))
    await report.step('request through the outbound path', () => checkRequest(outbound, name, path, undefined))
    const user = userOf(flags)
    if (user !== undefined) await report.step('request on behalf of the user', () => checkRequest(outbound, name, path, user))
  } finally {
    outbound?.close()
  }
}

async function inboundSteps(report: Report, config: GatewayConfig, registry: PartnerRegistry, name: string, flags: Flags, now: () => number): Promise<void> {
  const signer = readSigner(resolve(requireFlag(flags['partner-key'], '--partner-key')), resolve(requireFlag(flags['partner-cert'], '--partner-cert')))
  const partner = registry.all().find((p) => p.name === name)
  if (partner === undefined) return
  if (partner.config.authorizationServer !== undefined) {
    // Issue 7: such a partner's own signature is never accepted; its tokens come from the server.
    report.skip('partner certificate trusted by the gateway', `${name} is reached through authorization server ${partner.config.authorizationServer}, whose keys sign its tokens`)
    return
  }
  await report.step('partner certificate trusted by the gateway', () => checkPartnerKeyPublished(partner, signer))
  await report.step('inbound app-only token accepted', () => checkInboundToken(config, registry, partner, signer, undefined, now))
  const user = userOf(flags)
  if (user !== undefined) await report.step('inbound user token accepted', () => checkInboundToken(config, registry, partner, signer, user, now))
}

export async function testPartnerCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'test-partner', usage: TEST_PARTNER_USAGE, flags: FLAGS }, argv, io, async () => {
    const flags = parseFlags(argv, FLAGS)
    const file = resolve(requireFlag(flags.config, '--config'))
    if (flags.path !== undefined && !flags.path.startsWith('/')) throw new UsageError('--path must start with /')
    const name = requireFlag(flags.name, '--name')
    if (flags.inbound === true && (flags['partner-key'] === undefined || flags['partner-cert'] === undefined)) {
      throw new UsageError('--inbound needs --partner-key and --partner-cert')
    }
    const now = io.now ?? Date.now
    writeLine(io.stdout, `Testing partner "${name}" with ${file}`)
    const report = createReport(io.stdout)
    let config: GatewayConfig | undefined
    const loaded = await report.step('configuration loads', () => {
      try {
        config = loadConfigFile(file, { env: io.env, now }).config
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err
        return fail(`${err.problems.length} problem(s) in ${file}`, err.problems.map(formatProblem))
      }
      return pass(`${file}: ${config.partners.length} partner(s)`)
    })
    if (loaded.status === 'fail' || config === undefined) return finish(io, report, EXIT.config)
    const cfg = config
    const p = cfg.partners.find((x) => x.name === name)
    const configured = await report.step('partner is configured', () => (p === undefined
      ? fail(`no partner named "${name}" (configured: ${cfg.partners.map((x) => x.name).join(', ') || 'none'})`)
      : describeDirections(p, flags.inbound === true)))
    if (configured.status === 'fail' || p === undefined) return finish(io, report, EXIT.failure)
    await partnerSteps(report, cfg, p, flags, now)
    return finish(io, report, EXIT.failure)
  })
}

/**
 * Issue 15: every partner calls us (inbound: its tokens are verified with its keys); one with an outbound section
 * is also called by us. Say which, and run the steps that apply: an inbound-only partner is no failure.
 */
function describeDirections(p: PartnerConfig, inboundFlag: boolean): StepResult {
  // A partner behind an authorization server signs nothing itself: no key of its own to test with.
  const hint = inboundFlag || p.authorizationServer !== undefined ? [] : ['the inbound token steps need the partner\'s test key: --inbound --partner-key <pem> --partner-cert <pem>']
  if (p.outbound === undefined) {
    return pass(`inbound only (it calls the gateway; no outbound section, so no outbound step runs): trust ${p.trustLevel}`, hint)
  }
  const o = p.outbound
  return pass(`inbound and outbound: trust ${p.trustLevel}; outbound ${o.url}, aud host ${o.audienceHost}, acts as users: ${o.actAsUsers ? 'yes' : 'no'}`, hint)
}

function finish(io: CliIo, report: Report, failureCode: number): number {
  const failed = report.failed()
  if (failed.length === 0) {
    writeLine(io.stdout, `test-partner: every step passed (${report.total()} steps)`)
    return EXIT.ok
  }
  writeLine(io.stdout, `test-partner: ${failed.length} of ${report.total()} steps failed: ${failed.join('; ')}`)
  return failureCode
}
