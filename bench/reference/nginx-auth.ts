// Bench rows nginx-auth and nginx-auth-cached (issue 13): the shipped deploy/nginx/s2s-gateway.conf, its addresses
// and paths swapped for the run's own, in front of the echo backend, asking a forward-auth gateway. Every swap
// must match the shipped file exactly once (the integration tests use the same renderer), so neither a bench nor a
// test can run another configuration than the one we ship. Without the decision cache, only `proxy_cache` is off.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../paths.js'
import { writeNginxMain } from './nginx.js'

export interface NginxSiteAddresses {
  /** host:port of listen.forwardAuth, of listen.inbound and of the backend. */
  decisions: string
  inbound: string
  backend: string
  /** What nginx listens on, e.g. 127.0.0.1:8080. */
  listen: string
  cacheDir: string
  /** false: the decision subrequest is not cached (every request asks the gateway). */
  decisionCache: boolean
}

export const SHIPPED_NGINX_SITE = join(ROOT, 'deploy', 'nginx', 's2s-gateway.conf')

/** Replace `from` by `to`, requiring exactly one occurrence. */
function swap(text: string, from: string, to: string): string {
  const found = text.split(from).length - 1
  if (found !== 1) throw new Error(`expected one ${JSON.stringify(from)} in deploy/nginx/s2s-gateway.conf, found ${found}`)
  return text.replace(from, () => to)
}

export function renderShippedNginxSite(a: NginxSiteAddresses, text = readFileSync(SHIPPED_NGINX_SITE, 'utf8')): string {
  let site = swap(text, 'server 127.0.0.1:8445;', `server ${a.decisions};`)
  site = swap(site, 'server 127.0.0.1:8443;', `server ${a.inbound};`)
  site = swap(site, 'server 127.0.0.1:8080;', `server ${a.backend};`)
  site = swap(site, '    listen 80;', `    listen ${a.listen};`)
  site = swap(site, 'proxy_cache_path /run/nginx/s2s-auth-cache ', `proxy_cache_path ${a.cacheDir} `)
  return a.decisionCache ? site : swap(site, '        proxy_cache s2s_auth;', '        proxy_cache off;')
}

/** A one-worker nginx (like the plain nginx reference row) running the shipped site; access log to a file. */
export function writeNginxAuthConfig(dir: string, site: Omit<NginxSiteAddresses, 'cacheDir'>): { command: string; args: string[] } {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'site.conf'), renderShippedNginxSite({ ...site, cacheDir: join(dir, 'auth-cache') }))
  return writeNginxMain(dir, `  include ${join(dir, 'site.conf')};`)
}
