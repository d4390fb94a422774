// Logging contract for core code: a pino-compatible subset, so core functions take a logger as a dependency
// and fastify's own logger (pino) can be passed straight in. Never log tokens, keys or Authorization headers.

export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

const noop = (): void => {}

/** For tests and for CLI commands that print their own output. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
