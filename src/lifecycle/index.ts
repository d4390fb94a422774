// Lifecycle: the wiring. Builds a Runtime from a configuration, starts and stops the listeners, swaps the runtime
// on reload, drains on SIGTERM. Public API.
export { type GatewayDeps } from './build-gateway.js'
export { type RuntimeHolder } from './runtime.js'
export { startGateway, type ListenerSet, type RunningGateway } from './start-gateway.js'
