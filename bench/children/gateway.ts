// Bench child: the gateway as production runs it, through serve() (src/main.ts): config file, pino JSON logs on
// stdout (the parent points stdout at a file), access log on. argv: <config.yaml> [http-proxy|undici].
// With `undici` the same gateway is built through startGateway() with the reference forwarder instead.
// SIGUSR2 exits at once (so --cpu-prof writes its profile without waiting for a drain).
import { loadConfigFile } from '../../src/config/index.js'
import { createLogger } from '../../src/log/logger.js'
import { serve } from '../../src/main.js'
import { startGateway } from '../../src/lifecycle/start-gateway.js'

const [configPath = '', engine = 'http-proxy'] = process.argv.slice(2)
process.on('SIGUSR2', () => process.exit(0))

if (engine === 'undici') {
  const { createUndiciForwarder } = await import('../forwarders/undici-forwarder.js')
  const { config } = loadConfigFile(configPath, { env: process.env })
  const logger = createLogger(config.logging.level)
  const running = await startGateway(config, { logger, createForwarder: createUndiciForwarder })
  logger.info({ inbound: running.inboundUrl, admin: running.adminUrl, engine }, 's2s-gateway listening')
  process.once('SIGTERM', () => void running.close())
} else {
  await serve({ configPath, env: process.env })
}
