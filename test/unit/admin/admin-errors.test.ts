// Unit: the admin listener's error answers (admin/admin-errors.ts) are the one writer's, whatever fastify refused or
// a route threw: catalogue status and body, nothing of the request echoed, one log line at the one rule's level.
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { adminErrorOf, answerFrameworkError, registerAdminErrors } from '../../../src/admin/admin-errors.js'
import { GatewayError } from '../../../src/errors/index.js'

const MARKER = 'secret-7f3a'
let app: FastifyInstance | undefined
afterEach(() => app?.close())

function adminLike(): { app: FastifyInstance; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => void out.push(line) })
  // As admin-app.ts: no per-request lines of fastify's own, so what is left is ours.
  app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }), frameworkErrors: answerFrameworkError }) as unknown as FastifyInstance
  registerAdminErrors(app)
  app.get('/boom', async () => {
    throw new Error(`database at /x?token=${MARKER} down`)
  })
  app.post('/reload', async () => ({ result: 'success' }))
  return { app, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => (l['level'] as number) >= 30) }
}

describe('admin error answers', () => {
  it.each([
    ['an unknown route, query and all', 'GET', `/nothing?token=${MARKER}`, {}, '', 404, 'not_found', 'info'],
    ['a method not registered on a path', 'DELETE', '/reload', {}, '', 404, 'not_found', 'info'],
    ['a route that throws', 'GET', '/boom', {}, '', 500, 'internal', 'error'],
    ['a body that is not JSON', 'POST', '/reload', { 'content-type': 'application/json' }, '{x', 400, 'bad_request', 'info'],
    ['a body of a type no route takes', 'POST', '/reload', { 'content-type': 'application/xml' }, '<x/>', 415, 'unsupported_media_type', 'info'],
    ['a URL the router cannot decode', 'GET', `/status%zz?token=${MARKER}`, {}, '', 400, 'bad_request', 'info'],
  ] as const)('%s: %s %s is our %i', async (_label, method, url, headers, payload, status, error, level) => {
    const { app, lines } = adminLike()
    const res = await app.inject({ method, url, headers, payload })
    expect(res.statusCode).toBe(status)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.json()).toEqual({ error, message: expect.any(String) })
    expect(res.body).not.toContain(MARKER)
    expect(res.body).not.toContain(url.split('?')[0])
    const logged = lines()
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ level: pino.levels.values[level], listener: 'admin', method })
  })
})

describe('adminErrorOf', () => {
  const fastifyError = (statusCode: number | undefined, code: string) => Object.assign(new Error('Route GET:/x?token=t not found'), { statusCode, code })

  it.each([
    [400, 'FST_ERR_CTP_INVALID_JSON_BODY', 'GW_BAD_REQUEST'],
    [404, 'FST_ERR_NOT_FOUND', 'GW_NOT_FOUND'],
    [413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'GW_PAYLOAD_TOO_LARGE'],
    [415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'GW_UNSUPPORTED_MEDIA_TYPE'],
    [414, 'FST_ERR_MAX_PARAM_LENGTH', 'GW_BAD_REQUEST'],
    [500, 'FST_ERR_SOMETHING', 'GW_INTERNAL'],
    [undefined, 'ENOENT', 'GW_INTERNAL'],
  ])('a %s %s is %s, with only the code kept for the log', (status, code, expected) => {
    const err = adminErrorOf(fastifyError(status, code) as never)
    expect(err.code).toBe(expected)
    if (expected !== 'GW_INTERNAL') expect(err.detail).toEqual({ problem: code })
  })

  it('passes a GatewayError through unchanged', () => {
    const err = new GatewayError('GW_ADMIN_HOST')
    expect(adminErrorOf(err)).toBe(err)
  })
})
