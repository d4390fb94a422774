// The process logger cuts query strings out of whatever reaches it (issue 17, hole 2): messages, string arguments,
// the `req` field fastify logs and errors' messages and stacks, whoever the caller is.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, withoutQueries } from '../../../src/log/logger.js'

function capture(): { log: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = []
  const sink = new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString('utf8')); done() } })
  return { log: createLogger('debug', sink), text: () => lines.join('') }
}

describe('createLogger: no query string reaches a line', () => {
  it("cuts the query from fastify's own message, a child's message and an interpolated argument", () => {
    const { log, text } = capture()
    log.warn('Reply was already sent, did you forget to "return reply" in the "/api/x?access_token=SECRET1" (GET) route?')
    log.child({ reqId: 'r1' }).info({ a: 1 }, 'Route GET:/api?token=SECRET2 not found')
    log.info('fetching %s', 'https://host.example/metadata/json/1?sig=SECRET3')
    expect(text()).not.toMatch(/SECRET/)
    expect(text()).toContain('/api/x?[query removed]')
  })
  it('serializes req as method and path only, and cuts queries from error messages and stacks', () => {
    const { log, text } = capture()
    log.error({ req: { method: 'GET', url: '/a/b?access_token=SECRET4', headers: { authorization: 'Bearer SECRET5' } } }, 'x')
    log.error({ err: new Error('failed at /api/x?access_token=SECRET6') }, 'y')
    expect(text()).not.toMatch(/SECRET/)
    expect(text()).toContain('"path":"/a/b"')
  })
  it('leaves text without a query alone', () => {
    expect(withoutQueries('did you forget? yes')).toBe('did you forget? yes')
    expect(withoutQueries('/api/items')).toBe('/api/items')
  })
})

describe('createLogger: credentials in known field names are censored', () => {
  it('censors authorization and token, at the top and one level down, and leaves other fields alone', () => {
    const { log, text } = capture()
    log.info({ authorization: 'Bearer SECRET7', token: 'SECRET8', headers: { authorization: 'Bearer SECRET9', accept: 'x' }, call: { token: 'SECRET10' }, partner: 'exchange' }, 'm')
    expect(text()).not.toMatch(/SECRET/)
    const line = JSON.parse(text()) as Record<string, any>
    expect(line['authorization']).toBe('[redacted]')
    expect(line['token']).toBe('[redacted]')
    expect(line['headers']).toEqual({ authorization: '[redacted]', accept: 'x' })
    expect(line['call']).toEqual({ token: '[redacted]' })
    expect(line['partner']).toBe('exchange')
  })
  it('does not touch the caller\'s object', () => {
    const fields = { token: 'SECRET11', nested: { authorization: 'x' } }
    capture().log.info(fields, 'm')
    expect(fields).toEqual({ token: 'SECRET11', nested: { authorization: 'x' } })
  })
})
