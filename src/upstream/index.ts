// Upstream: the proxy engine (http-proxy, options prepared once per runtime) and the WebSocket relay to the
// backend. Public API.
export { createForwarder, wasResent, type ForwardEvents, type Forwarder } from './forward.js'
export {
  createUpgradeTracker, installUpgradeRouting, isWebSocketHandshake, upgradeOf,
  type ChannelJudge, type ChannelVerdict, type UpgradeContext, type UpgradeTracker,
} from './websocket.js'
