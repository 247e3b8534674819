/**
 * `TenantError`s on Fastify's error path (E2, issue 9: one error contract on every adapter).
 *
 * The plugin cannot own the app's error handler: `setErrorHandler` from a fastify-plugin lands
 * on the root instance, and an app that sets its own root handler afterwards gets Fastify's
 * FSTWRN004 warning (https://fastify.dev/docs/latest/Reference/Server/#allowerrorhandleroverride).
 * So it leaves error handlers alone and replaces only the answer Fastify's default handling
 * writes for a `TenantError` (`{ statusCode, code, error, message }`, with the message meant
 * for the developer) with the problem+json answer. An app's own handler runs first, and what it
 * answers itself is never touched.
 */
import { STATUS_CODES } from 'node:http'
import {
  isTenantError,
  type ProblemResponse,
  problemResponse,
  type TenantError,
} from '@tracium/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** Writes a rejection through the reply, so the app's onSend hooks and CORS headers apply. */
export function sendProblem(reply: FastifyReply, { status, headers, body }: ProblemResponse): void {
  reply.code(status).headers(headers).send(body)
}

const kTenantError = Symbol('@tracium/fastify:tenant-error')
type ErroredRequest = FastifyRequest & { [kTenantError]: TenantError | null }

/** Adds the two hooks (to the root, through fastify-plugin) that swap Fastify's answer. */
export function answerTenantErrors(fastify: FastifyInstance): void {
  fastify.decorateRequest(kTenantError, null)

  // onError runs for every error Fastify is about to handle, before the app's error handler.
  fastify.addHook('onError', function traciumOnError(request, _reply, error, done) {
    if (isTenantError(error)) (request as ErroredRequest)[kTenantError] = error
    done()
  })

  fastify.addHook('onSend', function traciumOnSend(request, reply, payload, done) {
    const error = (request as ErroredRequest)[kTenantError]
    if (error === null || payload !== fastifyDefaultBody(error, reply.statusCode)) {
      return done(null, payload)
    }
    const { status, headers, body } = problemResponse(error)
    reply.code(status).headers(headers)
    done(null, body)
  })
}

/**
 * The body Fastify's fallback error handler serializes for `error` (fastify lib/error-handler.js,
 * `serializeError({ error, code, message, statusCode })`): only that exact answer is replaced.
 */
function fastifyDefaultBody(error: TenantError, statusCode: number): string {
  return JSON.stringify({
    statusCode,
    code: error.code,
    error: STATUS_CODES[statusCode],
    message: error.message,
  })
}
