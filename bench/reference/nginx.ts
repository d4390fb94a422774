// Bench reference row: nginx as a plain reverse proxy (one worker, keep-alive to the backend, access log to a
// file), when nginx is installed. Written to a private prefix; nothing outside the run's folder is touched.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * nginx.conf for a private prefix: one worker in the foreground, every path inside `dir`, `httpBody` inside the
 * http block. Returns how to start it.
 */
export function writeNginxMain(dir: string, httpBody: string): { command: string; args: string[] } {
  mkdirSync(join(dir, 'tmp'), { recursive: true })
  const conf = join(dir, 'nginx.conf')
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'tmp')};
  proxy_temp_path ${join(dir, 'tmp')};
  fastcgi_temp_path ${join(dir, 'tmp')};
  uwsgi_temp_path ${join(dir, 'tmp')};
  scgi_temp_path ${join(dir, 'tmp')};
  keepalive_requests 1000000;
${httpBody}
}
`,
  )
  return { command: 'nginx', args: ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf] }
}

export function writeNginxConfig(dir: string, port: number, upstreamPort: number): { command: string; args: string[] } {
  return writeNginxMain(
    dir,
    `  upstream backend { server 127.0.0.1:${upstreamPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`,
  )
}
