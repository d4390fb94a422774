// Regression (issue 16): the admin listener answered in fastify's words wherever it was not a route's own answer.
// Its 404 body quoted method and URL, query string included ("Route GET:/x?access_token=... not found"), its
// bad-URL answer quoted the path, and a request Node's parser refused got fastify's body without a log line. Now
// each is the catalogue answer from the one error writer and is logged once, without the query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawHttp } from '../helpers/raw-http.js'
import { startStack, type Stack } from '../helpers/stack.js'

const MARKER = 'qmark-9c2d77'
let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(() => stack?.close())

const admin = (lines: string[]): ReturnType<typeof rawHttp> =>
  rawHttp(stack.gw.adminUrl, [lines[0], `Host: ${new URL(stack.gw.adminUrl).host}`, ...lines.slice(1), 'Connection: close', '', ''].join('\r\n'))

describe('regression: fastify\'s own answers on the admin listener', () => {
  it.each([
    ['an unknown path', `GET /nothing-here?access_token=${MARKER} HTTP/1.1`, 404, { error: 'not_found', message: 'not found' }, 'GW_NOT_FOUND'],
    ['a method no route takes', `PUT /healthz?access_token=${MARKER} HTTP/1.1`, 404, { error: 'not_found', message: 'not found' }, 'GW_NOT_FOUND'],
    ['a path its router cannot decode', `GET /status%zz?access_token=${MARKER} HTTP/1.1`, 400, { error: 'bad_request', message: 'bad request' }, 'GW_BAD_REQUEST'],
  ])('%s: the catalogue answer, nothing echoed, one line', async (_label, requestLine, status, body, code) => {
    const before = stack.gw.logs().length
    const res = await admin([requestLine])
    expect(res.status).toBe(status)
    expect(JSON.parse(res.body)).toEqual(body)
    expect(res.raw).not.toContain(MARKER)
    expect(res.raw).not.toContain('healthz')
    expect(stack.gw.logs().slice(before).filter((l) => l['listener'] === 'admin')).toEqual([expect.objectContaining({ level: 30, code })])
    expect(stack.gw.logText()).not.toContain(MARKER)
  })

  it('a request line Node\'s parser refuses: our 400 and a line naming the parser\'s code', async () => {
    const res = await admin([`GET /healthz?access_token=${MARKER} HTTP/9.9`])
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toEqual({ error: 'bad_request', message: 'bad request' })
    expect(res.headers['connection']).toBe('close')
    expect(stack.gw.logs().filter((l) => l['listener'] === 'admin' && l['problem'] === 'HPE_INVALID_VERSION')).toEqual([expect.objectContaining({ status: 400, code: 'GW_BAD_REQUEST' })])
    expect(stack.gw.logText()).not.toContain(MARKER)
  })

  it('the routes answer as before', async () => {
    expect((await admin(['GET /healthz HTTP/1.1'])).status).toBe(200)
  })
})
