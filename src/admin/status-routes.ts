// Admin: GET /status (HTML) and GET /status.json (the same StatusReport). Read-only, no secrets, and strict
// response headers: the page loads nothing from anywhere (CSP), and is never cached.
import type { FastifyInstance } from 'fastify'
import { buildStatusReport, type StatusInputs } from './status-data.js'
import { renderStatusPage } from './status-page.js'
import { STATUS_JSON_SCHEMA } from './status-schema.js'

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Inline CSS only: no scripts, no images, no fonts, no frames, nothing fetched.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
}

export function registerStatusRoutes(app: FastifyInstance, inputs: () => StatusInputs | Promise<StatusInputs>): void {
  app.get('/status.json', { schema: { response: { 200: STATUS_JSON_SCHEMA } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return buildStatusReport(await inputs())
  })
  app.get('/status', async (_request, reply) => {
    const current = await inputs()
    return reply.headers(PAGE_HEADERS).send(renderStatusPage(buildStatusReport(current), current.now))
  })
}
