// Test helper: the usual integration set-up in one call: an echo backend, the "exchange" partner with its
// metadata server, and a gateway trusting it (config overridable). close() stops all three.
import { startEchoUpstream, type EchoUpstream } from './echo-upstream.js'
import { metadataPartner, startTestGateway, type RawConfig, type TestGateway } from './gateway.js'
import { startMetadataServer, type MetadataServer } from './metadata-server.js'
import { makeTestPartner, type TestPartner } from './tokens.js'

export interface Stack {
  upstream: EchoUpstream
  exchange: TestPartner
  meta: MetadataServer
  gw: TestGateway
  close(): Promise<void>
}

/** `configure` gets the live URLs and returns config overrides; default: just the exchange partner (full trust). */
export async function startStack(configure?: (urls: { upstreamUrl: string; metadataUrl: string }) => RawConfig): Promise<Stack> {
  const upstream = await startEchoUpstream()
  const exchange = await makeTestPartner()
  const meta = await startMetadataServer(exchange)
  const urls = { upstreamUrl: upstream.url, metadataUrl: meta.url }
  const gw = await startTestGateway(upstream.url, { partners: [metadataPartner('exchange', meta.url)], ...configure?.(urls) })
  return {
    upstream,
    exchange,
    meta,
    gw,
    async close() {
      await gw.close()
      await meta.close()
      await upstream.close()
    },
  }
}
