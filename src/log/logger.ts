// Logging contract for core code: a pino-compatible subset, so core functions take a logger as a dependency
// and fastify's own logger (pino) can be passed straight in. Never log tokens, keys or Authorization headers.
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino'
import { DEFAULTS } from '../schema/index.js'
import { stdoutDestination, type StdoutOptions } from './log-destination.js'

export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

const noop = (): void => {}

/** For tests and for CLI commands that print their own output. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }


// A path followed by a query: `/api/x?access_token=...`, alone or inside a URL or a sentence.
const QUERY_IN_TEXT = /(\/[^\s?#"'`<>]*)\?[^\s"'`<>]*/g

/** Text with every query string cut out (`/api/x?[query removed]`): no log line may hold one (a token may be in it). */
export function withoutQueries(text: string): string {
  return text.includes('?') ? text.replace(QUERY_IN_TEXT, '$1?[query removed]') : text
}

/**
 * Log calls never see a raw URL (issue 17): fastify writes some into its messages ("Reply was already sent ... in the
 * "/x?token=..." route"), into its `req` field and into its errors' messages. The message, every string argument, `req`
 * and `err` are cut here, whoever logs them; our own fields carry paths without queries (inbound/access-log.ts).
 */
const serializers = {
  req: (req: { method?: unknown; url?: unknown }) => ({ method: req.method, path: typeof req.url === 'string' ? req.url.split('?', 1)[0] : undefined }),
  err: (err: unknown) => {
    const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>
    for (const key of ['message', 'stack']) if (typeof out[key] === 'string') out[key] = withoutQueries(out[key] as string)
    return out
  },
}

function logMethod(this: PinoLogger, args: unknown[], method: (...a: unknown[]) => void): void {
  for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = withoutQueries(args[i] as string)
  method.apply(this, args)
}

const CENSOR = '[redacted]'

type Fields = Record<string, unknown>

function isRecord(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * The second line of defence over the few field names a credential could hide in: `authorization`, `token`, and the
 * same one level down (`headers.authorization`, `*.token`). Lines are scrubbed at their source (the access line holds
 * no header value); this costs a walk over the top-level fields (about 0.1 µs for the access line), where pino's
 * `redact` re-parsed its paths on every line (1.5 µs, issue 11). Copies only what it censors.
 */
export function scrubFields(fields: Fields): Fields {
  let out = fields
  const set = (name: string, value: unknown): void => {
    if (out === fields) out = { ...fields }
    out[name] = value
  }
  for (const name in fields) {
    const value = fields[name]
    if (value === undefined) continue
    if (name === 'authorization' || name === 'token') set(name, CENSOR)
    else if (isRecord(value) && !(value instanceof Error) && (value['authorization'] !== undefined || value['token'] !== undefined)) {
      const inner: Fields = { ...value }
      if (inner['authorization'] !== undefined) inner['authorization'] = CENSOR
      if (inner['token'] !== undefined) inner['token'] = CENSOR
      set(name, inner)
    }
  }
  return out
}

/**
 * The process logger (pino JSON, the admin listener's fastify uses it too). No serializer logs headers; as a second
 * line of defence anything that looks like an Authorization header or a token field is censored, and query strings
 * are cut.
 */
export function createLogger(level: string, destination?: DestinationStream, stdout: StdoutOptions = { bufferBytes: 0, maxPendingBytes: DEFAULTS.logging.maxPendingBytes }): PinoLogger {
  const options = {
    level,
    base: { service: 's2s-gateway' },
    formatters: { log: scrubFields },
    serializers,
    hooks: { logMethod },
  }
  const logger: PinoLogger = pino(
    options,
    destination ??
      stdoutDestination(stdout, (droppedLines, droppedBytes, droppedLinesTotal) => {
        logger.warn({ droppedLines, droppedBytes, droppedLinesTotal }, 'log lines dropped: stdout did not take them fast enough')
      }),
  )
  return logger
}
