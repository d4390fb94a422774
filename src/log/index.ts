// Logging: the pino root logger, its field scrubbing and the batched stdout destination. Public API.
export { createLogger, silentLogger, type Logger } from './logger.js'
export { logFlatLine, type FlatValue } from './flat-line.js'
