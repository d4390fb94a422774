// Bench: start one process under test for a row (fresh for every repeat), pinned to the proxy CPU, with its
// stdout (the access log for the gateway, nginx and HAProxy) written to a file, and wait until it serves.
import type { ChildProcess } from 'node:child_process'
import { createPublicKey } from 'node:crypto'
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeGatewayConfig, AUDIENCE, PUBLIC_HOST, type BenchPartner, type Fixtures } from './fixtures.js'
import type { LoadGenerator } from './load/index.js'
import { childScript } from './paths.js'
import { writeHaproxyConfig } from './reference/haproxy.js'
import { writeNginxConfig } from './reference/nginx.js'
import { writeNginxAuthConfig } from './reference/nginx-auth.js'
import type { Row, RowKind } from './rows.js'
import { freePort, spawnPinned, stopProcess, waitForHttp, type Pinning } from './spawn.js'
import type { TokenPools } from './tokens.js'

export interface RunContext {
  generator: LoadGenerator
  pinning: Pinning
  workDir: string
  fixtures: Fixtures
  pools: TokenPools
  echoPort: number
  keepLogs: boolean
  /** Extra node flags for gateway processes (--node-args). */
  gatewayNodeArgs: readonly string[]
  /** --client-head: the file of extra request header lines wrk sends with every request. */
  clientHeadFile?: string
}

export interface StartedTarget {
  pid: number
  url: string
  adminUrl: string | undefined
  child: ChildProcess
  /** Other processes the row's CPU time includes (nginx-auth: the gateway nginx asks). */
  companionPids: number[]
  logFile: string
  /** Bytes logged so far. */
  logSize(): number
  /** Stop the process; returns the size of what it logged. */
  stop(signal?: NodeJS.Signals): Promise<{ logBytes: number }>
}

let sequence = 0

function isGateway(kind: RowKind): boolean {
  return kind === 'gateway' || kind === 'gateway-undici' || kind === 'gateway-outbound'
}

async function command(row: Row, ctx: RunContext, port: number, adminPort: number, nodeArgs: readonly string[], partners: readonly BenchPartner[], dir: string): Promise<[string, string[]]> {
  const echoUrl = `http://127.0.0.1:${ctx.echoPort}`
  switch (row.kind) {
    case 'bare':
    case 'bare-undici':
    case 'bare-outbound':
      return [process.execPath, [...nodeArgs, childScript('children/bare-proxy'), String(port), echoUrl, row.kind === 'bare' ? 'http-proxy' : row.kind === 'bare-undici' ? 'undici' : 'outbound']]
    case 'gateway-outbound': {
      // The partner stub is the echo backend; the load generator plays our backend calling /<partner>/... .
      const config = writeGatewayConfig(ctx.fixtures, join(dir, `gateway-${row.id}-${sequence}.yaml`), {
        upstreamUrl: echoUrl,
        ports: { inbound: await freePort(), admin: adminPort },
        partners,
        outbound: { port, partnerStubUrl: echoUrl },
        ...(row.configOverrides === undefined ? {} : { overrides: row.configOverrides }),
      })
      const script = row.gatewayScript ?? childScript('children/gateway')
      return [process.execPath, [...ctx.gatewayNodeArgs, ...(row.nodeArgs ?? []), ...nodeArgs, script, config, 'http-proxy']]
    }
    case 'gateway':
    case 'gateway-undici': {
      nodeArgs = [...ctx.gatewayNodeArgs, ...(row.nodeArgs ?? []), ...nodeArgs]
      const config = writeGatewayConfig(ctx.fixtures, join(dir, `gateway-${row.id}-${sequence}.yaml`), {
        upstreamUrl: echoUrl,
        ports: { inbound: port, admin: adminPort },
        partners,
        ...(row.cacheMaxEntries === undefined ? {} : { cacheMaxEntries: row.cacheMaxEntries }),
        ...(row.configOverrides === undefined ? {} : { overrides: row.configOverrides }),
        ...(row.partnerOverrides === undefined ? {} : { partnerOverrides: row.partnerOverrides }),
      })
      const script = row.gatewayScript ?? childScript('children/gateway')
      return [process.execPath, [...nodeArgs, script, config, row.kind === 'gateway' ? 'http-proxy' : 'undici']]
    }
    case 'nginx': {
      const c = writeNginxConfig(join(dir, `nginx-${sequence}`), port, ctx.echoPort)
      return [c.command, c.args]
    }
    case 'nginx-auth':
    case 'nginx-auth-cached':
      throw new Error('started by startNginxAuth')
    case 'haproxy':
    case 'haproxy-jwt': {
      // HAProxy 2.6's jwt_verify wants the public key itself (SPKI PEM); a certificate file never verifies.
      const certFile = join(dir, 'partner-public-key.pem')
      writeFileSync(certFile, createPublicKey(ctx.fixtures.partner.cert.certPem).export({ type: 'spki', format: 'pem' }))
      const jwt = row.kind === 'haproxy-jwt' ? { certFile, issuer: ctx.fixtures.partner.issuer, audience: AUDIENCE } : undefined
      const c = writeHaproxyConfig(dir, port, ctx.echoPort, jwt)
      return [c.command, c.args]
    }
  }
}

type StartOptions = { nodeArgs?: readonly string[]; partners?: readonly BenchPartner[]; firstToken: string | undefined; timeoutMs?: number }

/** A start that failed because a port found free was taken before the process bound it (another process's connection). */
class PortTaken extends Error {}

/**
 * Start the row's process and wait until a request with the row's first token gets the expected status. `freePort`
 * can only say a port was free a moment ago: another process's outgoing connection may take it as its local port
 * before the process listens, so a start that failed with EADDRINUSE is tried once more on new ports; any failure
 * is reported with the last lines of the process's log (a start that failed in a `--check`, cause unknown, had
 * its log removed with it).
 */
export async function startTarget(row: Row, ctx: RunContext, opts: StartOptions): Promise<StartedTarget> {
  try {
    return await startOnce(row, ctx, opts)
  } catch (err) {
    if (!(err instanceof PortTaken)) throw err
    process.stderr.write(`${row.id}: ${err.message}; starting again on other ports\n`)
    return startOnce(row, ctx, opts)
  }
}

/** The last lines of a log, for an error message (the log itself is removed with the process). */
function logTail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

async function startOnce(row: Row, ctx: RunContext, opts: StartOptions): Promise<StartedTarget> {
  sequence++
  const port = await freePort()
  const adminPort = await freePort()
  const partners = opts.partners ?? [ctx.fixtures.partner]
  const logFile = join(ctx.workDir, 'logs', `${row.id}-${sequence}.log`)
  const companion = row.kind === 'nginx-auth' || row.kind === 'nginx-auth-cached' ? await startDecisionGateway(row, ctx, adminPort, partners) : undefined
  let child: ChildProcess
  try {
    const [cmd, args] = companion !== undefined
      ? nginxAuthCommand(row, ctx, port, companion)
      : await command(row, ctx, port, adminPort, opts.nodeArgs ?? [], partners, ctx.workDir)
    const out = openSync(logFile, 'w')
    child = spawnPinned(ctx.pinning.proxyCpus, cmd, args, ['ignore', out, out])
    closeSync(out)
  } catch (err) {
    await companion?.stop('SIGKILL')
    throw err
  }
  // The outbound listener is reached as /<partner>/<path>, everything else at the inbound path.
  const url = row.kind === 'gateway-outbound' || row.kind === 'bare-outbound' ? `http://127.0.0.1:${port}/${partners[0]?.name ?? 'exchange'}/api/items` : `http://127.0.0.1:${port}/api/items`
  const adminUrl = isGateway(row.kind) ? `http://127.0.0.1:${adminPort}` : undefined
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<{ logBytes: number }> => {
    await stopProcess(child, 5000, signal)
    if (companion !== undefined) await companion.stop(signal)
    const logBytes = statSync(logFile).size
    if (!ctx.keepLogs) unlinkSync(logFile)
    return { logBytes }
  }
  try {
    const timeoutMs = opts.timeoutMs ?? 15_000
    if (adminUrl !== undefined) await waitForHttp(`${adminUrl}/readyz`, (status) => status === 200, { timeoutMs, child })
    const headers: Record<string, string> = opts.firstToken === undefined ? {} : { authorization: `Bearer ${opts.firstToken}` }
    await waitForHttp(url, (status) => status === row.expect, { timeoutMs, child, headers })
  } catch (err) {
    const tail = logTail(logFile)
    await stop('SIGKILL').catch(() => undefined)
    const message = `${row.id}: ${(err as Error).message}; the log ended with:\n${tail}`
    throw /EADDRINUSE/.test(tail) ? new PortTaken(message) : new Error(message)
  }
  if (child.pid === undefined) throw new Error(`${row.id}: no pid`)
  const companionPids = companion === undefined ? [] : [companion.pid]
  return { pid: child.pid, url, adminUrl, child, companionPids, logFile, logSize: () => statSync(logFile).size + (companion?.logSize() ?? 0), stop }
}

interface DecisionGateway {
  pid: number
  decisions: string
  inbound: string
  logSize(): number
  stop(signal: NodeJS.Signals): Promise<void>
}

/**
 * nginx-auth rows: the gateway nginx asks, forward-auth only (no upstream), on the proxy CPU like nginx (the pair
 * gets the one CPU HAProxy gets). 127.0.0.1 is a public host here: the load generator's Host is the bare address.
 */
async function startDecisionGateway(row: Row, ctx: RunContext, adminPort: number, partners: readonly BenchPartner[]): Promise<DecisionGateway> {
  const [inbound, decisions] = [await freePort(), await freePort()]
  const config = writeGatewayConfig(ctx.fixtures, join(ctx.workDir, `gateway-${row.id}-${sequence}.yaml`), {
    upstreamUrl: `http://127.0.0.1:${ctx.echoPort}`,
    ports: { inbound, admin: adminPort },
    partners,
    overrides: { service: { publicHosts: [PUBLIC_HOST, '127.0.0.1'] }, listen: { forwardAuth: { host: '127.0.0.1', port: decisions } } },
  })
  const logFile = join(ctx.workDir, 'logs', `${row.id}-${sequence}-gateway.log`)
  const out = openSync(logFile, 'w')
  const child = spawnPinned(ctx.pinning.proxyCpus, process.execPath, [...ctx.gatewayNodeArgs, childScript('children/gateway'), config, 'http-proxy'], ['ignore', out, out])
  closeSync(out)
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    await stopProcess(child, 5000, signal)
    if (!ctx.keepLogs) unlinkSync(logFile)
  }
  try {
    await waitForHttp(`http://127.0.0.1:${adminPort}/readyz`, (status) => status === 200, { timeoutMs: 15_000, child })
  } catch (err) {
    await stop('SIGKILL').catch(() => undefined)
    throw err
  }
  if (child.pid === undefined) throw new Error(`${row.id}: no gateway pid`)
  return { pid: child.pid, decisions: `127.0.0.1:${decisions}`, inbound: `127.0.0.1:${inbound}`, logSize: () => statSync(logFile).size, stop }
}

function nginxAuthCommand(row: Row, ctx: RunContext, port: number, gateway: DecisionGateway): [string, string[]] {
  const c = writeNginxAuthConfig(join(ctx.workDir, `nginx-auth-${sequence}`), {
    decisions: gateway.decisions, inbound: gateway.inbound, backend: `127.0.0.1:${ctx.echoPort}`, listen: `127.0.0.1:${port}`,
    decisionCache: row.kind === 'nginx-auth-cached',
  })
  return [c.command, c.args]
}
