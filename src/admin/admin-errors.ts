// Admin: every error answer of the admin listener is the one error writer's (errors/answer.ts), handed to fastify
// so its lifecycle still runs: the guards' refusals, a route's failure, an unknown route, a URL its router cannot
// decode, and a request Node's parser refused. fastify's own answers would echo the method and URL ("Route
// GET:/x?token=... not found") or an exception's message; ours are the catalogue's, and each is logged once.
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorAnswer, GatewayError, logError, toGatewayError, type AnswerOptions, type ErrorCode } from '../errors/index.js'
import type { Logger } from '../log/index.js'
import { refuseUnparsed } from '../net/index.js'

/** A refusal by the guards or of POST /reload: the catalogue body, plus the `result` a POST /reload caller reads. */
export const REFUSED = { result: 'refused' } as const

/** Send the catalogue answer to `err` through fastify: the same status, headers and bytes as on any listener. */
export function sendError(reply: FastifyReply, err: GatewayError, opts?: AnswerOptions): FastifyReply {
  const answer = errorAnswer(err, opts)
  return reply.code(answer.status).headers(answer.headers).send(answer.body)
}

/** fastify's client-side refusals (its errors carry a 4xx statusCode) by status; any other 4xx is a 400. */
const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'GW_BAD_REQUEST',
  404: 'GW_NOT_FOUND',
  408: 'GW_REQUEST_TIMEOUT',
  413: 'GW_PAYLOAD_TOO_LARGE',
  415: 'GW_UNSUPPORTED_MEDIA_TYPE',
  431: 'GW_HEADERS_TOO_LARGE',
}

/** A fastify error (FST_ERR_CTP_*, FST_ERR_BAD_URL) as the catalogue's answer; anything else a route threw is a 500. */
export function adminErrorOf(error: FastifyError | GatewayError): GatewayError {
  if (error instanceof GatewayError) return error
  const status = error.statusCode
  if (status === undefined || status < 400 || status >= 500) return toGatewayError(error)
  // fastify's codes are fixed names; its messages may quote the URL, so only the code is kept.
  const problem = typeof error.code === 'string' && error.code.startsWith('FST_') ? error.code : 'fastify'
  return new GatewayError(BY_STATUS[status] ?? 'GW_BAD_REQUEST', { detail: { problem } })
}

function answerFailure(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const err = adminErrorOf(error)
  logError(request.log, err, undefined, { listener: 'admin', method: request.method })
  return sendError(reply, err)
}

/**
 * Route failures, fastify's own refusals (body parser, undecodable URL), unknown routes (which answer every method
 * of a path not registered for it, as fastify has no 405) and Node's parser refusals all take the catalogue answer.
 */
export function registerAdminErrors(app: FastifyInstance): void {
  app.setErrorHandler(answerFailure)
  app.setNotFoundHandler((request, reply) => {
    const err = new GatewayError('GW_NOT_FOUND', { detail: { problem: 'admin_route' } })
    logError(request.log, err, undefined, { listener: 'admin', method: request.method })
    return sendError(reply, err)
  })
}

/** fastify's `frameworkErrors` option: what its router refuses before any route (FST_ERR_BAD_URL) is ours too. */
export const answerFrameworkError = answerFailure

/** fastify's `clientErrorHandler` option: Node's parser refusals answered and logged as on the other listeners. */
export function adminClientErrorHandler(log: Logger): (error: Error, socket: Duplex) => void {
  return (error, socket) => refuseUnparsed(error, socket, log, 'admin')
}
