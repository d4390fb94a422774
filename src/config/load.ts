// Config: YAML file -> validated, normalised, frozen GatewayConfig. Layers DEFAULTS <- YAML (with `${NAME}`
// resolved from the env cli/ passes in), runs every check, and throws one ConfigError listing all problems.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import type { GatewayConfig } from '../schema/index.js'
import type { Env } from './env.js'
import { SCHEMA } from '../schema/index.js'
import { walkSection } from './walk.js'
import { ConfigError, ProblemCollector, type ConfigProblem } from './problems.js'
import { checkWritableDirectory, fileErrorText } from './files.js'
import { checkLimits } from './check-limits.js'
import { deepFreeze } from '../schema/index.js'
import { checkService } from './check-service.js'
import { checkListen, checkPublicPaths, checkTrustedProxies, checkUpstream } from './check-network.js'
import { checkIssuer } from './check-issuer.js'
import { checkPartners } from './check-partners.js'
import { checkOutbound } from './check-outbound.js'
import { checkAuthorizationServers } from './check-authorization-servers.js'
import { checkAdmin } from './check-admin.js'
import { checkAccess } from './check-access.js'
import { checkForwardAuth } from './check-forward-auth.js'
import { checkWorkers } from './check-workers.js'

export interface LoadOptions {
  /** Where `${NAME}` references are looked up. Default: none set (only cli/ and main.ts read process.env). */
  env?: Env
  /** Clock for certificate expiry warnings, epoch ms. Default Date.now. */
  now?: () => number
}

export interface LoadedConfig {
  /** Deep-frozen. File paths are absolute. */
  config: GatewayConfig
  /** Things that work but deserve a look (expiring certificates, plain-http listeners), one line each. */
  warnings: string[]
}

/** Read, parse and check a YAML file; relative paths inside it are resolved against its directory. */
export function loadConfigFile(path: string, opts: LoadOptions = {}): LoadedConfig {
  const file = resolve(path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read ${file}: ${fileErrorText(err)}` }])
  }
  return loadConfigText(text, file, opts)
}

/** Parse and check YAML text as if it were the contents of `file` (partner add/remove check an edit before writing it). */
export function loadConfigText(text: string, file: string, opts: LoadOptions = {}): LoadedConfig {
  const { raw, warnings } = parseConfigYaml(text)
  const loaded = loadConfigObject(raw, { ...opts, baseDir: dirname(resolve(file)) })
  return { config: loaded.config, warnings: [...warnings, ...loaded.warnings] }
}

/** YAML text -> plain data. Syntax errors (with line and column) and duplicate keys throw a ConfigError. */
export function parseConfigYaml(text: string): { raw: unknown; warnings: string[] } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset)
    return `line ${line}, column ${col}`
  }
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: '', message: `YAML error at ${at(e.pos[0])}: ${e.message}` })))
  }
  const warnings = doc.warnings.map((w) => `YAML warning at ${at(w.pos[0])}: ${w.message}`)
  try {
    return { raw: doc.toJS({ maxAliasCount: 100 }), warnings }
  } catch (err) {
    throw new ConfigError([{ path: '', message: `YAML error: ${err instanceof Error ? err.message : String(err)}` }])
  }
}

/** Check already-parsed data (tests, reload); `baseDir` resolves relative file paths. */
export function loadConfigObject(raw: unknown, opts: LoadOptions & { baseDir: string }): LoadedConfig {
  const out = new ProblemCollector()
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError([{ path: '', message: 'the configuration must be a YAML mapping' }])
  }
  // Invalid values were replaced by placeholders of the right type; any problem fails the load below.
  const config: GatewayConfig = walkSection(SCHEMA, raw, '', { env: opts.env ?? {}, baseDir: resolve(opts.baseDir), out })
  const nowMs = (opts.now ?? Date.now)()
  checkService(config.service, out)
  checkListen(config.listen, out)
  checkUpstream(config.upstream, out)
  checkTrustedProxies(config, out)
  checkPublicPaths(config, out)
  const ownX5ts = checkIssuer(config.issuer, nowMs, out)
  checkPartners(config, { out, nowMs, serviceId: config.service.id, ownX5ts })
  checkOutbound(config, out)
  checkAuthorizationServers(config, out)
  checkAdmin(config.admin, out)
  checkLimits(config, out)
  if (config.metadata.cacheDir !== undefined) checkWritableDirectory(config.metadata.cacheDir, 'metadata.cacheDir', out)
  checkAccess(config, out)
  checkForwardAuth(config, out)
  checkWorkers(config, out)
  if (out.problems.length > 0) throw new ConfigError(sortByDocumentOrder(out.problems))
  return { config: deepFreeze(config), warnings: out.warnings }
}

/** Problems come from several passes; list them by top-level key in schema order, then by list entry. */
function sortByDocumentOrder(problems: ConfigProblem[]): ConfigProblem[] {
  const order = Object.keys(SCHEMA.fields)
  const rank = (p: ConfigProblem): [number, number] => {
    const match = /^([^.[]*)(?:\.[^[]*)?(?:\[(\d+)\])?/.exec(p.path)
    return [order.indexOf(match?.[1] ?? ''), Number(match?.[2] ?? -1)]
  }
  return [...problems].sort((a, b) => {
    const [ta, ia] = rank(a)
    const [tb, ib] = rank(b)
    return ta - tb || ia - ib
  })
}
