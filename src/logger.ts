// Logging contract for core code: a pino-compatible subset, so core functions take a logger as a dependency
// and fastify's own logger (pino) can be passed straight in. Never log tokens, keys or Authorization headers.
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino'

export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

const noop = (): void => {}

/** For tests and for CLI commands that print their own output. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }


/**
 * The process logger (pino JSON, fastify's own). No serializer logs headers; as a second line of defence
 * anything that looks like an Authorization header or a token field is redacted.
 */
export function createLogger(level: string, destination?: DestinationStream): PinoLogger {
  const options = {
    level,
    base: { service: 's2s-gateway' },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token'], censor: '[redacted]' },
  }
  return destination === undefined ? pino(options) : pino(options, destination)
}
