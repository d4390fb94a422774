// The forward-auth configurations in deploy/ that are not run here (Envoy, Traefik, Caddy; nginx is run by
// test/integration/forward-auth-nginx.test.ts): what they must keep from the backend and tell the gateway, read from
// the files themselves.
import { describe, expect, it } from 'vitest'
import { parseYamlFile, readDeployFile } from './deploy-files.js'

/** A proxy configuration, read as it is. */
type Doc = Record<string, any>
const firstDoc = (rel: string): Doc => parseYamlFile(rel).docs[0] as Doc

/** IIS URL Rewrite, Symfony and Laravel route by these instead of the path the decision judged. */
const PATH_OVERRIDES = ['x-original-url', 'x-rewrite-url']

/** The Caddyfile's directives, comments dropped, in order. */
const caddyLines = (): string[] => readDeployFile('caddy/Caddyfile').split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l !== '')

describe('deploy/ forward-auth configurations', () => {
  it('Envoy removes the path overrides before ext_authz and routing', () => {
    const envoy = firstDoc('envoy/envoy.yaml')
    const hcm = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config
    const mutation = hcm.http_filters.find((f: Doc) => f.name === 'envoy.filters.http.header_mutation')
    const removed = mutation.typed_config.mutations.request_mutations.map((m: Doc) => m.remove)
    expect(removed).toEqual(expect.arrayContaining(PATH_OVERRIDES))
    expect(hcm.http_filters.indexOf(mutation)).toBe(0)
  })

  it('Traefik blanks the path overrides on the routed request and passes the WebSocket key to the decision', () => {
    const traefik = firstDoc('traefik/dynamic.yaml')
    const router = traefik.http.routers['legacy-api']
    const blanked = router.middlewares.flatMap((name: string) => {
      const headers = traefik.http.middlewares[name].headers?.customRequestHeaders ?? {}
      return Object.entries(headers).filter(([, value]) => value === '').map(([key]) => key.toLowerCase())
    })
    expect(blanked).toEqual(expect.arrayContaining(PATH_OVERRIDES))
    const asked = traefik.http.middlewares['s2s-auth'].forwardAuth.authRequestHeaders.map((h: string) => h.toLowerCase())
    expect(asked).toContain('sec-websocket-key')
  })

  it('Caddy deletes the path overrides before the decision and the backend', () => {
    const lines = caddyLines()
    const decision = lines.findIndex((l) => l.startsWith('forward_auth'))
    for (const name of PATH_OVERRIDES) {
      const at = lines.findIndex((l) => l.toLowerCase() === `request_header -${name}`)
      expect(at, name).toBeGreaterThan(-1)
      expect(at, name).toBeLessThan(decision)
    }
  })
})
