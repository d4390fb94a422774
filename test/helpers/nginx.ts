// Test helper: a real nginx (Debian's package, /usr/sbin/nginx) started on 127.0.0.1 with the shipped site
// config, its addresses and paths swapped for the test's own by the renderer the bench uses (every swap must match
// the shipped file exactly once, so a test cannot silently run another configuration than the one we ship).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderShippedNginxSite } from '../../bench/reference/nginx-auth.js'
import { until } from './until.js'

/** Debian's path first; undefined when nginx is not installed (.ci/run installs it; the nginx tests then skip). */
export const NGINX_BINARY = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p))

export interface RunningNginx {
  url: string
  dir: string
  /** The decision cache directory (proxy_cache_path). */
  cacheDir: string
  errorLog(): string
  close(): Promise<void>
}

/** A free loopback port (nginx cannot listen on 0 and report it). */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Start nginx with `site` (the shipped file's text after swaps) included in a minimal main config. */
export async function startNginx(site: (dir: string) => string, port: number): Promise<RunningNginx> {
  if (NGINX_BINARY === undefined) throw new Error('nginx is not installed (.ci/run installs Debian\'s nginx package)')
  const dir = mkdtempSync(join(tmpdir(), 's2s-nginx-'))
  writeFileSync(join(dir, 'site.conf'), site(dir))
  writeFileSync(join(dir, 'nginx.conf'), [
    'daemon off;',
    'master_process on;',
    'worker_processes 1;',
    // Tests may run as root: workers as root too, so they can use the private temp directory.
    'user root;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 512; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}/client_body;`,
    `  proxy_temp_path ${dir}/proxy_temp;`,
    `  fastcgi_temp_path ${dir}/fastcgi_temp;`,
    `  uwsgi_temp_path ${dir}/uwsgi_temp;`,
    `  scgi_temp_path ${dir}/scgi_temp;`,
    `  include ${dir}/site.conf;`,
    '}',
    '',
  ].join('\n'))
  const child: ChildProcess = spawn(NGINX_BINARY, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  let exited = false
  child.once('exit', () => (exited = true))
  const errorLog = (): string => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '') + stderr
  try {
    await until(async () => {
      if (exited) throw new Error(`nginx exited: ${errorLog()}`)
      return canConnect(port)
    }, 'nginx listening', 10_000, 20)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    cacheDir: join(dir, 'auth-cache'),
    errorLog,
    async close() {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await gone
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/** The shipped deploy/nginx/s2s-gateway.conf, pointed at the test's gateway, backend, port and cache directory. */
export function shippedNginxSite(addresses: { decisions: string; inbound: string; backend: string; port: number }): (dir: string) => string {
  return (dir) => renderShippedNginxSite({ ...addresses, listen: `127.0.0.1:${addresses.port}`, cacheDir: join(dir, 'auth-cache'), decisionCache: true })
}
